import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerDiscordCommands } from '../../adapters/discord/register-commands.js';
import { DEFAULT_IDS, startFakeDiscord } from '../fakes/discord/index.js';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { redisUrl } from '../setup/redis.js';

// A prefix of its own: other test files share the test Redis (and their queues would mix).
const PREFIX = `t${randomUUID().slice(0, 8)}`;

import {
  discordQueueEnv,
  type ParleyProcess,
  startParleyProcess,
} from '../support/parley-process.js';

const MAIN = 'ag:restart:main';
const OTHER = 'ag:restart:other';
const GENERAL = 'C0GENERAL';
// Lines 1 and 2, then the retake of line 3 (call 4) and line 4 (call 5): none twice, none missing.
const EACH_LINE_ONCE = [
  `line 1 by ${MAIN}`,
  `line 2 by ${OTHER}`,
  `line 4 by ${MAIN}`,
  `line 5 by ${OTHER}`,
];
let slack: FakeSlack;
let mistral: FakeMistral;
const running: ParleyProcess[] = [];

beforeAll(async () => {
  // A team of its own: the shared test Redis may hold keys of other runs.
  slack = await startFakeSlack({ teamId: `T${randomUUID().slice(0, 8).toUpperCase()}` });
  mistral = await startFakeMistral({
    apiKey: 'restart-key',
    agents: [
      { id: MAIN, name: 'Main' },
      { id: OTHER, name: 'Other' },
    ],
  });
});
afterAll(async () => {
  await Promise.all(running.map((parley) => parley.kill()));
  await slack.close();
  await mistral.close();
});

async function parley(): Promise<ParleyProcess> {
  const started = await startParleyProcess({
    MISTRAL_API_KEY: 'restart-key',
    MISTRAL_AGENT_ID: MAIN,
    MISTRAL_SERVER_URL: mistral.url,
    AGENTS: `main=${MAIN},other=${OTHER}`,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL: redisUrl(),
    REDIS_PREFIX: PREFIX,
    ROLEPLAY_PAUSE_MS: '0',
    LOG_LEVEL: 'warn',
  });
  running.push(started);
  return started;
}

describe('a Slack role-play across a crash', () => {
  it('is taken over by another process within seconds, no line repeated or skipped', {
    timeout: 60_000,
  }, async () => {
    hangOnTheThirdLine();
    const first = await parley();

    await slack.sendSlashCommand(`${first.baseUrl}/slack/events`, {
      command: '/roleplay',
      text: 'main other 4 "the crash"',
      user_id: 'U0ALICE',
      channel_id: GENERAL,
    });
    await vi.waitFor(() => expect(mistral.completions).toHaveLength(3), { timeout: 15_000 });
    // Default lock and lease: the other process takes the play over as a deployment would.
    const second = await parley();
    await first.kill();
    const killed = Date.now();
    await vi.waitFor(() => expect(mistral.completions.length).toBeGreaterThanOrEqual(4), {
      timeout: 20_000,
    });
    const takeoverMs = Date.now() - killed;
    console.log(`role-play: the next line began ${takeoverMs} ms after the kill`);
    const root = slack.messages(GENERAL).find((message) => message.isBot)?.ts ?? '';
    const closing = () =>
      slack.messages(GENERAL, root).find((message) => message.text.startsWith('🎬'));
    await slack
      .waitFor(() => closing() !== undefined, 20_000)
      .catch((error: unknown) => {
        throw new Error(
          `no closing line (${mistral.completions.length} calls); second process said:\n${second.output()}\nfirst said:\n${first.output()}`,
          { cause: error },
        );
      });

    const agents = mistral.completions.map((call) => call.agentId);
    expect(agents).toEqual([MAIN, OTHER, MAIN, MAIN, OTHER]);
    const finished = slack
      .messages(GENERAL, root)
      .filter((message) => /^line \d by/.test(message.text))
      .map((m) => m.text);
    expect(finished).toEqual(EACH_LINE_ONCE);
    const lastRequest = mistral.completions.at(-1)?.messages ?? [];
    expect(lastRequest.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(closing()?.text).toBe('🎬 The end: 4 turns done.');
    expect(await second.terminate()).toBe(0);
    // Target 10 s (5 s lock, 1.5 s stalled checks); a ceiling only the old 30–60 s would pass.
    expect(takeoverMs).toBeLessThan(20_000);
  });
});

describe('a Discord role-play across a crash', () => {
  it('is finished by the next process with no line repeated or skipped', {
    timeout: 60_000,
  }, async () => {
    const discord = await startFakeDiscord();
    try {
      const env = {
        ...discordQueueEnv({
          discord,
          guildId: DEFAULT_IDS.guild,
          mistral,
          agentId: MAIN,
          redisUrl: redisUrl(),
          prefix: PREFIX,
        }),
        AGENTS: `main=${MAIN},other=${OTHER}`,
        ROLEPLAY_PAUSE_MS: '0',
        TURN_LEASE_MS: '1000',
        QUEUE_LOCK_MS: '2000',
      };
      await registerDiscordCommands(env);
      mistral.reset();
      hangOnTheThirdLine();
      const first = await startParleyProcess(env);
      running.push(first);
      await discord.connected();

      discord.sendInteraction({
        name: 'roleplay',
        subcommand: 'start',
        options: { first: 'main', second: 'other', topic: 'the crash', turns: 4 },
        channelId: DEFAULT_IDS.general,
        userId: DEFAULT_IDS.alice,
      });
      await vi.waitFor(() => expect(mistral.completions).toHaveLength(3), { timeout: 15_000 });
      await first.kill();
      const second = await startParleyProcess(env);
      running.push(second);
      const announcement = discord
        .messages(DEFAULT_IDS.general)
        .find((message) => message.content.startsWith('🎭'));
      const threadId = announcement?.id ?? '';
      const closing = () =>
        discord.messages(threadId).find((message) => message.content.startsWith('🎬'));
      await discord.waitFor(() => closing(), 20_000);

      expect(mistral.completions.map((call) => call.agentId)).toEqual([
        MAIN,
        OTHER,
        MAIN,
        MAIN,
        OTHER,
      ]);
      const finished = discord
        .messages(threadId)
        .filter((message) => /^line \d by/.test(message.content))
        .map((message) => message.content);
      expect(finished).toEqual(EACH_LINE_ONCE);
      expect(closing()?.content).toBe('🎬 The end: 4 turns done.');
      expect(await second.terminate()).toBe(0);
    } finally {
      await discord.close();
    }
  });
});

/** The agent answers every call but the third, which hangs: the process is killed mid-line. */
function hangOnTheThirdLine(): void {
  let line = 0;
  mistral.setResponder((request) => {
    line += 1;
    return line === 3
      ? { kind: 'hang' }
      : { kind: 'reply', text: `line ${line} by ${request.agentId}` };
  });
}
