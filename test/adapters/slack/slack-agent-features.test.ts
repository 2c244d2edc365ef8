import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { noticeFor } from '../../../src/core/notices.js';
import type { ErrorCode } from '../../../src/errors.js';
import { gate } from '../../support/gate.js';
import { redisStores } from '../../support/redis-stores.js';
import { type SlackRig, startSlackRig } from './slack-harness.js';

/**
 * Issue #11 on Slack, end to end: the real Bolt and Mistral SDK against the fakes, the history in
 * the test Redis. Each feature runs in an assistant thread (a DM: status and chat streaming) and
 * in a channel thread where the assistant status is refused (a placeholder, edited).
 */
const GENERAL = 'C0GENERAL';
const DM = 'D0ALICE';
const ALICE = 'U0ALICE';
// The agents the rig's fake Mistral knows (startRigMistral('slack')).
const MAIN_AGENT = 'ag:slack:main';
const ANALYST = {
  id: 'ag:slack:other',
  name: 'Analyst',
  avatar: 'https://avatars.example/analyst.png',
};
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 250]);
const PLOT = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 8, 7]);
const PHOTO = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 7, 7]);

type Mode = 'assistant thread' | 'channel thread';

let rosterDir: string;
let rosterPath: string;
let rig: SlackRig;

// A JSON roster (AGENTS as a file): the analyst has a name and an avatar, main has neither.
beforeAll(() => {
  rosterDir = mkdtempSync(join(tmpdir(), 'parley-roster-'));
  rosterPath = join(rosterDir, 'agents.json');
  writeFileSync(
    rosterPath,
    JSON.stringify({
      main: { id: MAIN_AGENT },
      analyst: { id: ANALYST.id, name: ANALYST.name, avatar: ANALYST.avatar },
    }),
  );
});
afterAll(() => rmSync(rosterDir, { recursive: true, force: true }));
afterEach(async () => {
  expectNoSecrets();
  await rig.close();
});

/** Parley on the test Redis with the roster; in a channel thread Slack refuses the assistant status. */
async function startRig(mode: Mode): Promise<void> {
  rig = await startSlackRig({ ...redisStores(), env: { AGENTS: rosterPath } });
  expect([rig.agent, rig.otherAgent]).toEqual([MAIN_AGENT, ANALYST.id]);
  if (mode === 'channel thread')
    rig.slack.failNext('assistant.threads.setStatus', 'not_allowed', 1_000);
}

function expectNoSecrets(): void {
  const secrets = [rig.mistralKey, rig.slack.botToken, rig.slack.signingSecret];
  const seen = [
    rig.logs(),
    JSON.stringify(rig.slack.calls),
    JSON.stringify(rig.slack.messages(GENERAL)),
    JSON.stringify(rig.slack.messages(DM)),
    JSON.stringify(rig.mistral.completions),
  ].join('\n');
  for (const secret of secrets) expect(seen).not.toContain(secret);
}

/** Where a mode's conversation happens, and how a person speaks there. */
function placeOf(mode: Mode) {
  const channel = mode === 'assistant thread' ? DM : GENERAL;
  const address = (text: string) =>
    mode === 'assistant thread' ? text : `<@${rig.slack.botUserId}> ${text}`;
  return {
    channel,
    /** A person's first message, which starts the thread; its ts is the thread's. */
    async ask(text: string): Promise<string> {
      const event = rig.slack.userMessage({
        channel,
        user: ALICE,
        text: address(text),
        mention: mode === 'channel thread',
      });
      await rig.slack.sendEvent(rig.eventsUrl, event);
      return String(event.ts);
    },
    async reply(threadTs: string, text: string): Promise<void> {
      const event = rig.slack.userMessage({ channel, user: ALICE, text, threadTs });
      await rig.slack.sendEvent(rig.eventsUrl, event);
    },
  };
}

function botReplies(channel: string, threadTs: string) {
  return rig.slack.messages(channel, threadTs).filter((message) => message.isBot);
}

/** Waits until the bot's answers in a thread are whole: streams stopped, text past the placeholder. */
async function answered(channel: string, threadTs: string, until: (text: string) => boolean) {
  await rig.slack.waitFor(() => {
    const replies = botReplies(channel, threadTs);
    return (
      replies.every((reply) => reply.stream !== 'streaming') &&
      until(replies.map((reply) => reply.text).join('\n'))
    );
  });
  return botReplies(channel, threadTs);
}

function threadRef(channel: string, threadTs: string) {
  return { platform: 'slack' as const, workspace: rig.slack.teamId, channel, thread: threadTs };
}

/** Every assistant status the thread showed, in order ('' when cleared). */
function statusesOf(channel: string, threadTs: string): string[] {
  return rig.slack.statuses
    .filter((status) => status.channel === channel && status.threadTs === threadTs)
    .map((status) => status.status);
}

/** The assistant lines the store (Redis) keeps for a thread: who said what. */
async function storedAnswers(channel: string, threadTs: string) {
  const history = await rig.core.store.history(threadRef(channel, threadTs));
  return history
    .filter((message) => message.role === 'assistant')
    .map((message) => [message.author.id, message.author.name, message.text]);
}

/** Every text the thread showed over its life: posts, edits, stream appends. */
function everyTextShown(): string {
  return rig.slack.calls
    .filter((call) => /^chat\./.test(call.method))
    .map((call) => `${String(call.args.text ?? '')}${String(call.args.markdown_text ?? '')}`)
    .join('\n');
}

const GENERIC_FAILURES = (
  [
    'AGENT_UNAVAILABLE',
    'AGENT_EMPTY_ANSWER',
    'AGENT_STREAM_BROKEN',
    'AGENT_BAD_REQUEST',
    'INTERNAL',
    'PLATFORM_UNAVAILABLE',
  ] satisfies ErrorCode[]
).map(noticeFor);

describe.each<Mode>(['assistant thread', 'channel thread'])(
  'Slack, agents with tools, files and handoffs (%s)',
  (mode) => {
    const isStreamed = mode === 'assistant thread';
    const link = (title: string, url: string) =>
      isStreamed ? `[${title}](${url})` : `<${url}|${title}>`;
    const bold = (text: string) => (isStreamed ? `**${text}**` : `*${text}*`);

    it('shows a web search while it runs, and numbers its sources under the answer, each URL once', async () => {
      await startRig(mode);
      const searching = gate();
      rig.mistral.enqueue({
        kind: 'script',
        steps: [
          { tool: 'web_search', arguments: '{"query":"Paris weather"}', until: searching.until },
          { text: 'Sunny in Paris today', chunkSize: 6 },
          { reference: { title: 'Météo Paris', url: 'https://meteo.example/paris' } },
          { text: ', 24 °C by noon.' },
          { reference: { title: 'Météo Paris (again)', url: 'https://meteo.example/paris' } },
          { reference: { title: 'City news', url: 'https://news.example/paris?day=1' } },
          { reference: { title: 'Forecast<T> & more', url: 'https://dev.example/forecast' } },
        ],
      });
      const place = placeOf(mode);

      const root = await place.ask('weather in Paris?');
      await rig.slack.waitFor(() =>
        isStreamed
          ? rig.slack.assistantStatus(DM, root) === 'is searching the web…'
          : (botReplies(GENERAL, root)[0]?.text.includes('_Searching the web…_') ?? false),
      );
      searching.open();
      const [reply, ...more] = await answered(place.channel, root, (text) =>
        text.includes('dev.example'),
      );

      expect(more).toEqual([]);
      expect(reply?.text).toMatch(/^Sunny in Paris today, 24 °C by noon\./);
      expect(shownLines(reply?.text).slice(-4)).toEqual([
        bold('Sources'),
        `1. ${link('Météo Paris', 'https://meteo.example/paris')}`,
        `2. ${link('City news', 'https://news.example/paris?day=1')}`,
        // mrkdwn takes <, > and & as entities (a raw < would open a link of its own).
        `3. ${isStreamed ? '[Forecast<T> & more](https://dev.example/forecast)' : '<https://dev.example/forecast|Forecast&lt;T&gt; &amp; more>'}`,
      ]);
      expect(reply?.text.split('https://meteo.example/paris')).toHaveLength(2);
      expect(reply?.text).not.toContain('Searching the web');
      // Between the search and the first words the agent still works: the person is told so.
      if (isStreamed)
        expect(statusesOf(DM, root)).toEqual([
          'is thinking…',
          'is searching the web…',
          'is thinking…',
          '',
        ]);
    });

    it('uploads an image and a plot into the thread as real files, never showing their placeholders', async () => {
      await startRig(mode);
      rig.mistral.enqueue({
        kind: 'script',
        steps: [
          { text: 'Here is your cat:\n\n' },
          { file: { name: 'image_0.png', type: 'png', tool: 'image_generation', bytes: PNG } },
          { text: '![Image](__emitted_0.png)\n\nAnd the sales plot:\n\n' },
          {
            tool: 'code_interpreter',
            arguments: JSON.stringify({ code: 'plot(sales)' }),
            info: { code_output: '' },
          },
          { file: { name: 'plot_0.png', type: 'png', tool: 'code_interpreter', bytes: PLOT } },
          { text: '![Plot](__emitted_1.png)\n\nDone.' },
        ],
      });
      const place = placeOf(mode);

      const root = await place.ask('draw a cat, then plot sales');
      await answered(place.channel, root, (text) => text.includes('Done.'));
      await rig.slack.waitFor(() => rig.slack.files.uploads(place.channel, root).length >= 3);

      const uploads = rig.slack.files.uploads(place.channel, root);
      const pictures = uploads.filter((file) => file.name.endsWith('.png'));
      expect(pictures.map((file) => file.name)).toEqual(['image_0.png', 'plot_0.png']);
      expect(pictures.map((file) => new Uint8Array(file.bytes))).toEqual(
        ['image_0.png', 'plot_0.png'].map((name) => heldByMistral(name)),
      );
      expect(pictures.map((file) => new Uint8Array(file.bytes))).toEqual([PNG, PLOT]);
      const completions = rig.slack.callsTo('files.completeUploadExternal');
      expect(completions.length).toBeGreaterThanOrEqual(2);
      for (const call of completions)
        expect(call.args).toMatchObject({ channel_id: place.channel, thread_ts: root });
      expect(rig.slack.callsTo('files.getUploadURLExternal').length).toBe(uploads.length);
      expect(everyTextShown()).not.toContain('__emitted');
      expect(everyTextShown()).not.toContain('![');
    });

    it('shows a code-interpreter run as a code-run-1.md file in the thread, with the code and what it printed', async () => {
      await startRig(mode);
      const code = 'import math\nprint(math.factorial(10))';
      rig.mistral.enqueue({
        kind: 'script',
        steps: [
          {
            tool: 'code_interpreter',
            arguments: JSON.stringify({ code }),
            info: { code_output: '3628800\n' },
          },
          { text: '10! is 3,628,800.' },
        ],
      });
      const place = placeOf(mode);

      const root = await place.ask('what is 10 factorial? compute it');
      await answered(place.channel, root, (text) => text.includes('3,628,800'));
      await rig.slack.waitFor(() => rig.slack.files.uploads(place.channel, root).length === 1);

      const [run] = rig.slack.files.uploads(place.channel, root);
      expect(run?.name).toBe('code-run-1.md');
      const shown = run?.bytes.toString('utf8') ?? '';
      expect(shown).toContain(code);
      expect(shown).toContain('3628800');
      expect(everyTextShown()).not.toContain('factorial(10)');
    });

    it('hands an answer to a second agent, posted under its persona, and keeps the thread with the first', async () => {
      await startRig(mode);
      rig.mistral.enqueue({
        kind: 'script',
        steps: [
          { text: 'Let me pass you to our analyst.' },
          { handoff: { toAgentId: rig.otherAgent, toAgentName: 'Other Agent' } },
          { text: 'Analyst here: revenue grew **12%**.' },
        ],
      });
      const place = placeOf(mode);

      const root = await place.ask('how did revenue do?');
      const [first, second, ...more] = await answered(place.channel, root, (text) =>
        text.includes('12'),
      );

      expect(more).toEqual([]);
      expect(first?.text).toContain('Let me pass you to our analyst.');
      expect(first?.text).toMatch(/\n\u200B?_↪ handed over to Analyst_\u200B?$/);
      expect(first?.username).toBeUndefined();
      expect(second).toMatchObject({ username: ANALYST.name, iconUrl: ANALYST.avatar });
      // A persona's part is posted and edited: chat streaming cannot take a username and icon.
      expect(second?.text).toMatch(/^Analyst here: revenue grew \u200B?\*12%\*\u200B?\.$/);
      await vi.waitFor(async () =>
        expect(await storedAnswers(place.channel, root)).toEqual([
          [rig.agent, 'Main Agent', 'Let me pass you to our analyst.'],
          [rig.otherAgent, ANALYST.name, 'Analyst here: revenue grew **12%**.'],
        ]),
      );

      rig.mistral.enqueue({ kind: 'reply', text: 'Still me, the main agent.' });
      await place.reply(root, 'thanks, and costs?');
      await answered(place.channel, root, (text) => text.includes('Still me'));

      expect(rig.mistral.completions.map((call) => call.agentId)).toEqual([rig.agent, rig.agent]);
    });

    it('posts a handoff to an agent the roster lacks under that agent’s own name', async () => {
      await startRig(mode);
      rig.mistral.enqueue({
        kind: 'script',
        steps: [
          { text: 'Summing up is not my job.' },
          { handoff: { toAgentId: 'ag:slack:summarizer', toAgentName: 'Summarizer' } },
          { text: 'In short: all good.' },
        ],
      });
      const place = placeOf(mode);

      const root = await place.ask('sum it up');
      const [first, second] = await answered(place.channel, root, (text) =>
        text.includes('all good'),
      );

      expect(first?.text).toMatch(/handed over to Summarizer_\u200B?$/);
      expect(second).toMatchObject({ username: 'Summarizer', iconUrl: undefined });
      expect(second?.text).toBe('In short: all good.');
    });

    it('answers a function call as not available, and finishes the reply naming the missing tool once', async () => {
      await startRig(mode);
      rig.mistral.enqueue({
        kind: 'script',
        steps: [
          {
            functionCall: {
              name: 'get_weather',
              arguments: '{"city":"Paris"}',
              toolCallId: 'Wx7kP2mQz',
            },
          },
        ],
      });
      rig.mistral.enqueue({
        kind: 'script',
        steps: [{ text: 'I cannot check live weather here, but Paris is mild in June.' }],
      });
      const place = placeOf(mode);

      const root = await place.ask('weather in Paris?');
      const [reply, ...more] = await answered(place.channel, root, (text) =>
        text.includes('mild in June'),
      );

      expect(more).toEqual([]);
      const second = rig.mistral.completions[1]?.inputs as readonly Record<string, unknown>[];
      expect(second.slice(-2)).toEqual([
        expect.objectContaining({
          type: 'function.call',
          tool_call_id: 'Wx7kP2mQz',
          name: 'get_weather',
        }),
        expect.objectContaining({
          type: 'function.result',
          tool_call_id: 'Wx7kP2mQz',
          result: expect.stringContaining('not available'),
        }),
      ]);
      const lines = (reply?.text ?? '').split('\n').filter((line) => line.trim() !== '');
      expect(lines.filter((line) => line.includes('get_weather'))).toHaveLength(1);
      expect(lines.at(-1)).toBe('I cannot check live weather here, but Paris is mild in June.');
      for (const notice of GENERIC_FAILURES) expect(everyTextShown()).not.toContain(notice);
    });

    it('reads a shared image and text file with the bot token, names a zip only, and keeps file ids', async () => {
      await startRig(mode);
      rig.mistral.enqueue({ kind: 'reply', text: 'A cat, and two rows of sales.' });
      const place = placeOf(mode);
      const csv = 'month,sales\nmay,10\njune,12\n';

      const share = rig.slack.files.userShare({
        channel: place.channel,
        user: ALICE,
        text:
          mode === 'assistant thread'
            ? 'what is in these?'
            : `<@${rig.slack.botUserId}> what is in these?`,
        mention: mode === 'channel thread',
        files: [
          { name: 'cat.jpg', bytes: PHOTO },
          { name: 'sales.csv', mimetype: 'text/csv', bytes: csv },
          { name: 'archive.zip', bytes: new Uint8Array([0x50, 0x4b, 3, 4]) },
        ],
      });
      await rig.slack.sendEvent(rig.eventsUrl, share);
      const root = String(share.ts);
      const [reply] = await answered(place.channel, root, (text) => text.includes('two rows'));

      const inputs = JSON.stringify(lastInputs());
      const content = lastInputs().at(-1);
      expect(content).toEqual(
        expect.objectContaining({
          content: expect.arrayContaining([
            {
              type: 'image_url',
              image_url: `data:image/jpeg;base64,${Buffer.from(PHOTO).toString('base64')}`,
            },
            {
              type: 'text',
              text: expect.stringMatching(
                /^\[file: sales\.csv\]\n`+\nmonth,sales\nmay,10\njune,12\n\n`+$/,
              ),
            },
          ]),
        }),
      );
      expect(inputs).toContain('archive.zip');
      expect(inputs).not.toContain('UEsDBA');
      for (const leak of [
        'files.slack.com',
        'url_private',
        'files-pri',
        rig.slack.url,
        '127.0.0.1',
      ])
        expect(inputs).not.toContain(leak);
      expect(rig.logs()).not.toMatch(/files-pri|url_private/);
      const ids = rig.slack.files.sharedBy(ALICE).map((file) => file.id);
      const [photoId = '', csvId = '', zipId = ''] = ids;
      expect(rig.slack.files.downloads(photoId).authorized).toBeGreaterThan(0);
      expect(rig.slack.files.downloads(csvId).authorized).toBeGreaterThan(0);
      expect(rig.slack.files.downloads(zipId).authorized).toBe(0);
      expect(rig.slack.files.downloads().unauthorized).toBe(0);
      const notices = (reply?.text ?? '')
        .split('\n')
        .filter((line) => line.includes('archive.zip'));
      expect(notices).toHaveLength(1);
      expect(notices[0]).not.toMatch(/cat\.jpg|sales\.csv/);
      const [question] = await rig.core.store.history(threadRef(place.channel, root));
      expect(question?.attachments.map((file) => file.ref)).toEqual(ids);
      expect(JSON.stringify(question)).not.toContain(Buffer.from(PHOTO).toString('base64'));
      expect(JSON.stringify(question)).not.toMatch(/url_private|files-pri|june,12/);
    });

    it('reads a file shared later in the thread, without a mention', async () => {
      await startRig(mode);
      const place = placeOf(mode);
      const root = await place.ask('I will send my notes');
      await answered(place.channel, root, (text) => text !== '' && !text.includes('Thinking'));
      rig.mistral.enqueue({ kind: 'reply', text: 'Your notes say: buy milk.' });

      const share = rig.slack.files.userShare({
        channel: place.channel,
        user: ALICE,
        threadTs: root,
        text: 'here they are',
        files: [{ name: 'notes.md', bytes: '# Notes\n- buy milk\n' }],
      });
      await rig.slack.sendEvent(rig.eventsUrl, share);
      await answered(place.channel, root, (text) => text.includes('buy milk'));

      const [question] = lastInputs().slice(-1);
      expect(question?.content).toEqual(
        expect.arrayContaining([
          {
            type: 'text',
            text: expect.stringContaining('[file: notes.md]\n```\n# Notes\n- buy milk'),
          },
        ]),
      );
      expect(rig.slack.files.downloads().unauthorized).toBe(0);
    });
  },
);

/** A message's lines as a person reads them: blank lines, zero-width marks and runs of spaces gone. */
function shownLines(text: string | undefined): string[] {
  return (text ?? '')
    .replaceAll('\u200B', '')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}

/** The inputs of the newest request to the agent, as sent on the wire. */
function lastInputs(): readonly Record<string, unknown>[] {
  const inputs = rig.mistral.completions.at(-1)?.inputs;
  if (!Array.isArray(inputs)) throw new Error('the last request sent no input entries');
  return inputs as Record<string, unknown>[];
}

/** What the fake Mistral's files API holds under a name (the files the agent made). */
function heldByMistral(name: string): Uint8Array {
  const held = [...rig.mistral.files.values()].filter((file) => file.name === name);
  expect(held).toHaveLength(1);
  return new Uint8Array(held[0]?.bytes ?? []);
}
