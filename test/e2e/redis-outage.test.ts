import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { freePort, type RedisServer, startRedisServer } from '../setup/redis-process.js';
import { type ParleyProcess, startParleyProcess } from '../support/parley-process.js';

const AGENT = 'ag:outage:main';
const DM = 'D0ALICE';
const STORE_NOTICE = 'My conversation storage is unreachable right now. Please try again shortly.';
let slack: FakeSlack;
let mistral: FakeMistral;
let dir: string;
let redis: RedisServer | undefined;
let parley: ParleyProcess | undefined;

beforeAll(async () => {
  slack = await startFakeSlack();
  mistral = await startFakeMistral({
    apiKey: 'outage-key',
    agents: [{ id: AGENT, name: 'Outage' }],
  });
  mistral.setResponder((request) => ({
    kind: 'reply',
    text: `re: ${String(request.messages.at(-1)?.content)}`,
    chunkSize: 4,
    chunkDelayMs: 5,
  }));
  dir = await mkdtemp(join(tmpdir(), 'parley-outage-'));
});
afterAll(async () => {
  await parley?.kill();
  await redis?.stop();
  await slack.close();
  await mistral.close();
  await rm(dir, { recursive: true, force: true });
});

function reply(root: string) {
  return slack.messages(DM, root).filter((message) => message.isBot);
}

describe('Redis restarting under load', () => {
  it('keeps Parley up, refuses events while down, and answers every message once when back', {
    timeout: 90_000,
  }, async () => {
    const port = await freePort();
    redis = await startRedisServer({ port, persistIn: dir });
    parley = await startParleyProcess({
      MISTRAL_API_KEY: 'outage-key',
      MISTRAL_AGENT_ID: AGENT,
      MISTRAL_SERVER_URL: mistral.url,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: redis.url,
      TURN_LEASE_MS: '1000',
      QUEUE_LOCK_MS: '2000',
      LOG_LEVEL: 'fatal',
    });
    const events = `${parley.baseUrl}/slack/events`;
    const before = Array.from({ length: 20 }, (_, index) =>
      slack.userMessage({ channel: DM, user: 'U0ALICE', text: `before ${index}` }),
    );
    await Promise.all(before.map((event) => slack.sendEvent(events, event)));
    await slack.waitFor(
      () => before.filter((event) => reply(String(event.ts)).length > 0).length >= 5,
      20_000,
    );

    await redis.stop();
    const during = Array.from({ length: 5 }, (_, index) =>
      slack.userMessage({ channel: DM, user: 'U0ALICE', text: `during ${index}` }),
    );
    const refused = await Promise.all(during.map((event) => slack.sendEvent(events, event)));
    const health = await fetch(`${parley.baseUrl}/healthz`);
    redis = await startRedisServer({ port, persistIn: dir });
    // Slack redelivers what was not acknowledged.
    const retried = await Promise.all(
      during.map((event) =>
        slack.sendEvent(events, event, { retryNum: 1, retryReason: 'http_error' }),
      ),
    );
    const all = [...before, ...during];
    const isFinal = (text: string, event: (typeof all)[number]) =>
      text === `re: ${String(event.text)}` || text === STORE_NOTICE;
    const isSettled = () =>
      all.every((event) => reply(String(event.ts)).some((message) => isFinal(message.text, event)));
    await slack.waitFor(isSettled, 60_000).catch(() => undefined);

    const odd = all.filter((event) => reply(String(event.ts)).length !== 1);
    expect(
      odd.map((event) => [
        event.text,
        reply(String(event.ts)).map((message) => `${message.text}|${message.stream}`),
      ]),
    ).toEqual([]);
    expect(refused.map((result) => result.status >= 500)).toEqual([true, true, true, true, true]);
    expect(health.status).toBe(503);
    expect(retried.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
    for (const event of all) {
      const replies = reply(String(event.ts));
      expect(
        replies.map((message) => `${message.text}|${message.stream}`),
        `replies to “${String(event.text)}”`,
      ).toHaveLength(1);
      expect([`re: ${String(event.text)}`, STORE_NOTICE]).toContain(replies[0]?.text);
    }
    for (const event of during)
      expect(reply(String(event.ts))[0]?.text).toBe(`re: ${String(event.text)}`);
    expect((await fetch(`${parley.baseUrl}/healthz`)).status).toBe(200);
  });
});
