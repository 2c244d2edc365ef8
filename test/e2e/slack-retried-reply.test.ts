import { describe, expect, it } from 'vitest';
import { gate } from '../support/gate.js';
import type { ParleyProcess } from '../support/parley-process.js';
import { useQueueRig } from '../support/queue-rig.js';

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

const { fakes, running, parley, newPrefix } = useQueueRig({ id: AGENT, name: 'Main' }, 'retry-key');

function botMessages(root: string) {
  return fakes.slack.messages(DM, root).filter((message) => message.isBot);
}

/** Sends a DM (an assistant thread) through the web process; returns the thread's ts. */
async function ask(web: ParleyProcess, text: string): Promise<string> {
  const event = fakes.slack.userMessage({ channel: DM, user: 'U0ALICE', text });
  await fakes.slack.sendEvent(`${web.baseUrl}/slack/events`, event);
  return String(event.ts);
}

/** Neither credential in what any Parley process printed, nor in anything it posted. */
function expectNoSecrets(): void {
  const seen = [...running.map((process) => process.output()), JSON.stringify(fakes.slack.calls)];
  for (const secret of [fakes.slack.botToken, fakes.mistral.apiKey])
    for (const text of seen) expect(text).not.toContain(secret);
}

/** Kills the worker once the thread shows `status`, and lets a fresh worker take the job over. */
async function killWhenShown(prefix: string, doomed: ParleyProcess, root: string, status: string) {
  await fakes.slack.waitFor(() => fakes.slack.assistantStatus(DM, root) === status, WAIT_MS);
  await parley(prefix, 'worker');
  await doomed.kill();
}

describe('a Slack reply retried on another worker', () => {
  it('uploads the file its first attempt uploaded once, and finishes the answer once', {
    timeout: 90_000,
  }, async () => {
    const stuck = gate();
    fakes.mistral.enqueue(
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
    await fakes.slack.waitFor(
      () => botMessages(root).some((message) => message.text.includes('all good')),
      WAIT_MS,
    );

    const uploads = fakes.slack.files.uploads(DM, root);
    expect(uploads.map((file) => file.name)).toEqual(['plot_0.png']);
    expect(new Uint8Array(uploads[0]?.bytes ?? [])).toEqual(PLOT);
    expect(fakes.mistral.completions).toHaveLength(2);
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
    fakes.mistral.enqueue(
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
    await fakes.slack.waitFor(
      () => botMessages(root).some((message) => message.text.includes('let me look')),
      WAIT_MS,
    );
    await parley(prefix, 'worker');
    await doomed.kill();
    await fakes.slack.waitFor(
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
