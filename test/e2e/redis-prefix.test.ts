import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { type RedisServer, startRedisServer } from '../setup/redis-process.js';
import {
  type ParleyProcess,
  slackQueueEnv,
  startParleyProcess,
} from '../support/parley-process.js';

/**
 * Two deployments may share one Redis only if each keeps to its REDIS_PREFIX. Parley runs as
 * `npm start` against a Redis of its own (so every key there is this run's), answers a mention,
 * sets a channel agent and plays a role-play to its end; then every key is listed.
 */
const MAIN = 'ag:prefix:main';
const OTHER = 'ag:prefix:other';
const GENERAL = 'C0GENERAL';
// Not starting with `parley`, the built-in default, so a part that falls back to it shows.
const PREFIX = `keys${randomUUID().slice(0, 8)}`;
// Ceiling for event-driven waits: they end as soon as the condition holds.
const WAIT_MS = 30_000;

let redis: RedisServer;
let slack: FakeSlack;
let mistral: FakeMistral;
let parley: ParleyProcess | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
  slack = await startFakeSlack();
  mistral = await startFakeMistral({
    apiKey: 'prefix-key',
    agents: [
      { id: MAIN, name: 'Main' },
      { id: OTHER, name: 'Other' },
    ],
  });
});
afterAll(async () => {
  await parley?.kill();
  await slack.close();
  await mistral.close();
  await redis.stop();
});

/** Every key in the Redis, by SCAN (KEYS would block a shared server). */
async function allKeys(url: string): Promise<string[]> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'COUNT', 1_000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys.sort();
  } finally {
    await client.quit();
  }
}

function botMessages(threadTs?: string) {
  return slack.messages(GENERAL, threadTs).filter((message) => message.isBot);
}

describe('Redis keys of one deployment', () => {
  it('all start with its REDIS_PREFIX, plays and the queue included', {
    timeout: 60_000,
  }, async () => {
    mistral.setResponder((request) => ({ kind: 'reply', text: `${request.agentId} speaks` }));
    const env = slackQueueEnv({
      slack,
      mistral,
      agentId: MAIN,
      redisUrl: redis.url,
      prefix: PREFIX,
    });
    parley = await startParleyProcess({
      ...env,
      MISTRAL_API_KEY: 'prefix-key',
      AGENTS: `main=${MAIN},other=${OTHER}`,
      ROLEPLAY_PAUSE_MS: '0',
      // Setting a channel's agent is an admin's (#13); the fake's Alice is no workspace admin.
      ADMIN_USERS: 'U0ALICE',
    });
    const events = `${parley.baseUrl}/slack/events`;
    const mention = slack.userMessage({
      channel: GENERAL,
      user: 'U0ALICE',
      text: `<@${slack.botUserId}> hello`,
      mention: true,
    });

    await slack.sendEvent(events, mention);
    await slack.waitFor(
      () => botMessages(String(mention.ts)).some((message) => message.stream !== 'streaming'),
      WAIT_MS,
    );
    await slack.sendSlashCommand(events, {
      command: '/parley',
      text: 'agent other',
      user_id: 'U0ALICE',
      channel_id: GENERAL,
    });
    await slack.sendSlashCommand(events, {
      command: '/roleplay',
      text: 'main other 2 "prefixes"',
      user_id: 'U0ALICE',
      channel_id: GENERAL,
    });
    const announcement = () => botMessages().find((message) => message.text.startsWith('🎭'));
    await slack.waitFor(() => announcement() !== undefined, WAIT_MS);
    const root = announcement()?.ts ?? '';
    await slack.waitFor(
      () => botMessages(root).some((message) => message.text.startsWith('🎬')),
      WAIT_MS,
    );
    const keys = await allKeys(redis.url);

    expect(keys.filter((key) => !key.startsWith(PREFIX))).toEqual([]);
    expect(keys.some((key) => key.endsWith(':play'))).toBe(true);
    expect(keys.some((key) => key.startsWith(`${PREFIX}-queue:`))).toBe(true);
    expect(keys.some((key) => key.startsWith(`${PREFIX}:settings:`))).toBe(true);
  });
});
