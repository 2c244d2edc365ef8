import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  escapeMentions,
  markdownForSlack,
  markdownToMrkdwn,
} from '../../../adapters/slack/slack-text.js';
import { createStreamWriter, type StreamCalls } from '../../../adapters/slack/stream-writer.js';
import type { SlackMentions } from '../../fakes/slack/index.js';
import { type SlackRig, startSlackRig } from './slack-harness.js';

const GENERAL = 'C0GENERAL';
const ALICE = 'U0ALICE';
const NOBODY: SlackMentions = { broadcasts: [], users: [], userGroups: [], channels: [] };
const WORD_JOINER = '\u2060';
// Every kind of Slack ping an agent's answer could carry, in text and in code.
const PINGS =
  'Heads up <!channel>, <!here|here> and <!everyone>: ask <!subteam^S0TEAM|@team>, ' +
  '<!subteam^S0OPS>, <@U0ALICE>, <@W0BOB|bob> in <#C0GENERAL|general>. `<!here>`';
const SEQUENCE = /<[!@#]/;

describe('mentions in rendered answers', () => {
  it('escapes every mention in mrkdwn, code included, so Slack shows it as text', () => {
    const out = markdownToMrkdwn(`**Note** ${PINGS}\n\n\`\`\`\n<@U0ALICE> <!here>\n\`\`\``);

    expect(out).not.toMatch(SEQUENCE);
    expect(out).toContain('&lt;!channel&gt;');
    expect(out).toContain('&lt;!subteam^S0TEAM|@team&gt;');
    expect(out).toContain('`&lt;!here&gt;`');
    expect(out).toContain('*Note*');
  });

  it('leaves links and plain comparisons alone', () => {
    expect(escapeMentions('<https://x.example|a link> 1 &lt; 2')).toBe(
      '<https://x.example|a link> 1 &lt; 2',
    );
  });

  it('joins a word joiner after each mention opening in streamed Markdown, across chunks too', () => {
    const first = markdownForSlack('ping <!here> and <');
    const second = markdownForSlack('@U0ALICE>', 'ping <!here> and <');

    expect(`${first}${second}`).not.toMatch(SEQUENCE);
    expect(`${first}${second}`.replaceAll(WORD_JOINER, '')).toBe('ping <!here> and <@U0ALICE>');
  });

  it('streams a mention cut between two deltas without ever sending it whole', async () => {
    const sent: string[] = [];
    let started: () => void = () => undefined;
    const hasStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const calls: StreamCalls = {
      start: async (markdown) => {
        sent.push(markdown);
        started();
        return '1.0001';
      },
      append: async (_ts, markdown) => void sent.push(markdown),
      stop: async (_ts, markdown) => void sent.push(markdown ?? ''),
    };
    const writer = createStreamWriter(calls, { maxMessageChars: 11_000, intervalMs: 0 });

    writer.append('call everyone <');
    await hasStarted;
    writer.append('!channel> now');
    await writer.finish();

    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.join('')).not.toMatch(SEQUENCE);
    expect(sent.join('').replaceAll(WORD_JOINER, '')).toBe('call everyone <!channel> now');
  });
});

describe('Slack answers that try to ping', () => {
  let rig: SlackRig;
  beforeEach(async () => {
    rig = await startSlackRig();
  });
  afterEach(() => rig.close());

  function botReplies(threadTs: string) {
    return rig.slack.messages(GENERAL, threadTs).filter((message) => message.isBot);
  }

  function mention(text: string) {
    return rig.slack.userMessage({
      channel: GENERAL,
      user: ALICE,
      text: `<@${rig.slack.botUserId}> ${text}`,
      mention: true,
    });
  }

  it('counts the pings a message would make, through the real WebClient', async () => {
    const web = new webApi.WebClient(rig.slack.botToken, { slackApiUrl: rig.slack.apiUrl });

    const raw = await web.chat.postMessage({ channel: GENERAL, text: PINGS });
    const escaped = await web.chat.postMessage({ channel: GENERAL, text: escapeMentions(PINGS) });

    expect(rig.slack.message(GENERAL, String(raw.ts))?.mentions).toEqual({
      broadcasts: ['channel', 'everyone', 'here'],
      users: ['U0ALICE', 'W0BOB'],
      userGroups: ['S0OPS', 'S0TEAM'],
      channels: ['C0GENERAL'],
    });
    expect(rig.slack.message(GENERAL, String(escaped.ts))?.mentions).toEqual(NOBODY);
  });

  it('streams an answer full of pings as text that notifies nobody', async () => {
    rig.mistral.enqueue({ kind: 'reply', text: PINGS, chunkSize: 3 });
    const event = mention('ping them all');

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() => botReplies(String(event.ts))[0]?.stream === 'stopped');
    const [reply] = botReplies(String(event.ts));

    expect(reply?.mentions).toEqual(NOBODY);
    expect(reply?.text.replaceAll(WORD_JOINER, '')).toBe(PINGS);
  });

  it('posts and edits an answer full of pings as text that notifies nobody', async () => {
    rig.slack.failNext('chat.startStream', 'not_allowed_token_type');
    rig.mistral.enqueue({ kind: 'reply', text: PINGS, chunkSize: 3 });
    const event = mention('ping them all, no streaming');

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() => botReplies(String(event.ts))[0]?.text.endsWith('`') === true);
    const [reply] = botReplies(String(event.ts));

    expect(reply?.stream).toBe('none');
    expect(reply?.mentions).toEqual(NOBODY);
    expect(reply?.text).toContain('&lt;!channel&gt;');
  });

  it('posts a persona line full of pings as text that notifies nobody', async () => {
    const event = mention('set the stage');
    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() => botReplies(String(event.ts))[0]?.stream === 'stopped');
    const sink = rig.adapter.personaSink(GENERAL, String(event.ts), { name: 'Socrates' });

    await sink.start();
    await sink.append(PINGS);
    await sink.finish();

    const line = botReplies(String(event.ts)).at(-1);
    expect(line?.username).toBe('Socrates');
    expect(line?.mentions).toEqual(NOBODY);
    expect(line?.text).toContain('&lt;@U0ALICE&gt;');
  });
});
