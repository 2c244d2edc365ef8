import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONTEXT_MAX_MESSAGES,
  loadThreadContext,
  type ThreadContextDeps,
} from '../../../adapters/slack/slack-context.js';
import { silentLogger } from '../../../src/log/logger.js';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack/index.js';
import { type SlackRig, startSlackRig } from './slack-harness.js';

const GENERAL = 'C0GENERAL';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';

/** A thread of `replies` numbered replies under a root, alternating Alice and Bob. */
function seedThread(slack: FakeSlack, replies: number): string {
  const root = slack.seedMessage({ channel: GENERAL, user: BOB, text: 'root' });
  for (let index = 1; index <= replies; index += 1) {
    const user = index % 2 === 0 ? BOB : ALICE;
    slack.seedMessage({ channel: GENERAL, user, text: `reply ${index}`, threadTs: root });
  }
  return root;
}

describe('loadThreadContext', () => {
  let slack: FakeSlack;
  let deps: ThreadContextDeps;

  beforeEach(async () => {
    slack = await startFakeSlack();
    const client = new webApi.WebClient(slack.botToken, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    const bot = { userId: slack.botUserId, botId: slack.botId, name: 'parley' };
    deps = { client, logger: silentLogger, nameOf: async (id) => `name of ${id}`, bot };
  });
  afterEach(() => slack.close());

  it('reads the newest replies of a long thread, oldest first, paging to its end', async () => {
    const root = seedThread(slack, 450);

    const lines = await loadThreadContext(deps, GENERAL, root);

    expect(lines.map((line) => line.text)).toEqual(
      Array.from({ length: CONTEXT_MAX_MESSAGES }, (_, index) => `reply ${251 + index}`),
    );
    const calls = slack.callsTo('conversations.replies');
    expect(calls).toHaveLength(3);
    expect(calls.map((call) => call.args.cursor === undefined)).toEqual([true, false, false]);
  });

  it('reads a short thread whole in one call, root included', async () => {
    const root = seedThread(slack, 3);

    const lines = await loadThreadContext(deps, GENERAL, root);

    expect(lines.map((line) => `${line.author.id}: ${line.text}`)).toEqual([
      `${BOB}: root`,
      `${ALICE}: reply 1`,
      `${BOB}: reply 2`,
      `${ALICE}: reply 3`,
    ]);
    expect(slack.callsTo('conversations.replies')).toHaveLength(1);
  });

  it('reads its own posts in the thread as the agent’s lines', async () => {
    const root = seedThread(slack, CONTEXT_MAX_MESSAGES);
    const own = { channel: GENERAL, user: slack.botUserId, isBot: true, threadTs: root };
    slack.seedMessage({ ...own, text: 'my answer' });

    const lines = await loadThreadContext(deps, GENERAL, root);

    expect(lines).toHaveLength(CONTEXT_MAX_MESSAGES);
    expect(lines.at(-1)).toMatchObject({ role: 'assistant', text: 'my answer' });
    expect(lines.at(-2)?.text).toBe(`reply ${CONTEXT_MAX_MESSAGES}`);
  });
});

describe('a mention late in a long Slack thread', () => {
  let rig: SlackRig;

  beforeEach(async () => {
    rig = await startSlackRig();
  });
  afterEach(() => rig.close());

  it('gives the agent the newest messages of the thread, not its start', async () => {
    const root = seedThread(rig.slack, 150);
    const event = rig.slack.userMessage({
      channel: GENERAL,
      user: ALICE,
      text: `<@${rig.slack.botUserId}> sum it up`,
      mention: true,
      threadTs: root,
    });

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() => rig.mistral.completions.length > 0);

    const content = String(rig.mistral.completions[0]?.messages.at(-1)?.content);
    expect(content).toContain('reply 150\n');
    expect(content).toMatch(/sum it up$/);
    expect(content).not.toContain('reply 1\n');
  });
});
