import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { redisUrl } from '../setup/redis.js';
import { gate } from '../support/gate.js';
import {
  type ParleyProcess,
  slackQueueEnv,
  startParleyProcess,
} from '../support/parley-process.js';

/**
 * Issue #11's "a retried reply does not upload a file twice", as deployed: Redis and the queue,
 * Parley as child processes, a worker killed while the agent still works, another one taking the
 * job over with the reply's journal.
 */
const AGENT = 'ag:retry:main';
const DM = 'D0ALICE';
// Ceilings for event-driven waits: they end as soon as the condition holds.
const WAIT_MS = 30_000;
const PLOT = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 1, 1]);
const REDRAWN = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 2, 2, 2]);

let slack: FakeSlack;
let mistral: FakeMistral;
const running: ParleyProcess[] = [];

beforeAll(async () => {
  slack = await startFakeSlack({ teamId: `T${randomUUID().slice(0, 8).toUpperCase()}` });
  mistral = await startFakeMistral({ apiKey: 'retry-key', agents: [{ id: AGENT, name: 'Main' }] });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((parley) => parley.kill()));
  mistral.reset();
});
afterAll(async () => {
  await slack.close();
  await mistral.close();
});

async function parley(prefix: string, role: string): Promise<ParleyProcess> {
  const started = await startParleyProcess(
    slackQueueEnv({ slack, mistral, agentId: AGENT, redisUrl: redisUrl(), prefix }),
    ['--role', role],
  );
  running.push(started);
  return started;
}

/** A prefix of its own per test: other files share the test Redis (and queues would mix). */
const newPrefix = () => `t${randomUUID().slice(0, 8)}`;

function botMessages(root: string) {
  return slack.messages(DM, root).filter((message) => message.isBot);
}

/** Sends a DM (an assistant thread) through the web process; returns the thread's ts. */
async function ask(web: ParleyProcess, text: string): Promise<string> {
  const event = slack.userMessage({ channel: DM, user: 'U0ALICE', text });
  await slack.sendEvent(`${web.baseUrl}/slack/events`, event);
  return String(event.ts);
}

/** Neither credential in what any Parley process printed, nor in anything it posted. */
function expectNoSecrets(): void {
  const seen = [...running.map((process) => process.output()), JSON.stringify(slack.calls)];
  for (const secret of [slack.botToken, mistral.apiKey])
    for (const text of seen) expect(text).not.toContain(secret);
}

/** Kills the worker once the thread shows `status`, and lets a fresh worker take the job over. */
async function killWhenShown(prefix: string, doomed: ParleyProcess, root: string, status: string) {
  await slack.waitFor(() => slack.assistantStatus(DM, root) === status, WAIT_MS);
  await parley(prefix, 'worker');
  await doomed.kill();
}

describe('a Slack reply retried on another worker', () => {
  it('uploads the file its first attempt uploaded once, and finishes the answer once', {
    timeout: 90_000,
  }, async () => {
    const stuck = gate();
    mistral.enqueue(
      {
        kind: 'script',
        steps: [
          { text: 'Here is the chart.' },
          { file: { name: 'plot_0.png', type: 'png', bytes: PLOT } },
          { tool: 'code_interpreter', arguments: '{"code":"check()"}', until: stuck.until },
          { text: ' Never shown.' },
        ],
      },
      {
        kind: 'script',
        steps: [
          { text: 'Here is the chart.' },
          { file: { name: 'plot_0.png', type: 'png', bytes: REDRAWN } },
          { text: ' Checked: all good.' },
        ],
      },
    );
    const prefix = newPrefix();
    const web = await parley(prefix, 'web');
    const doomed = await parley(prefix, 'worker');

    const root = await ask(web, 'plot it and check it');
    await killWhenShown(prefix, doomed, root, 'is running code…');
    await slack.waitFor(
      () => botMessages(root).some((message) => message.text.includes('all good')),
      WAIT_MS,
    );

    const uploads = slack.files.uploads(DM, root);
    expect(uploads.map((file) => file.name)).toEqual(['plot_0.png']);
    expect(new Uint8Array(uploads[0]?.bytes ?? [])).toEqual(PLOT);
    expect(mistral.completions).toHaveLength(2);
    const texts = botMessages(root)
      .map((message) => message.text)
      .filter((text) => text !== '');
    // Words after the file go below it: the first attempt's message, then the retry's.
    expect(texts.map((text) => text.trim())).toEqual(['Here is the chart.', 'Checked: all good.']);
    expectNoSecrets();
  });

  it('posts a handed-over part once, under its persona, though the retry replays the handoff', {
    timeout: 90_000,
  }, async () => {
    const stuck = gate();
    const analyst = { toAgentId: 'ag:retry:analyst', toAgentName: 'Analyst' };
    mistral.enqueue(
      {
        kind: 'script',
        steps: [
          { text: 'Over to the analyst.' },
          { handoff: analyst },
          { text: 'Analyst: let me look.' },
          { tool: 'web_search', arguments: '{"query":"q"}', until: stuck.until },
        ],
      },
      {
        kind: 'script',
        steps: [
          { text: 'Over to the analyst.' },
          { handoff: analyst },
          { text: 'Analyst: let me look. Found it.' },
        ],
      },
    );
    const prefix = newPrefix();
    const web = await parley(prefix, 'web');
    const doomed = await parley(prefix, 'worker');

    const root = await ask(web, 'who can analyse this?');
    await slack.waitFor(
      () => botMessages(root).some((message) => message.text.includes('let me look')),
      WAIT_MS,
    );
    await parley(prefix, 'worker');
    await doomed.kill();
    await slack.waitFor(
      () => botMessages(root).some((message) => message.text.includes('Found it')),
      WAIT_MS,
    );

    const shown = botMessages(root).map((message) => [message.username, message.text]);
    expect(shown).toEqual([
      [
        undefined,
        expect.stringMatching(
          /^Over to the analyst\.\n\n\u200B?_↪ handed over to Analyst_\u200B?$/,
        ),
      ],
      ['Analyst', 'Analyst: let me look. Found it.'],
    ]);
    expectNoSecrets();
  });
});
