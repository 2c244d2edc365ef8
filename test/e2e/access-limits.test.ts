import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { redisUrl } from '../setup/redis.js';
import {
  type ParleyProcess,
  slackQueueEnv,
  startParleyProcess,
} from '../support/parley-process.js';

/**
 * USER_RATE_LIMIT across processes: two Parleys on one Redis, each both ingress and worker
 * (`--role all`), as two instances behind a load balancer. A person's messages go to either;
 * the count is one.
 */
const AGENT = 'ag:limits:main';
const GENERAL = 'C0GENERAL';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
// Ceilings for event-driven waits: they end as soon as the condition holds.
const WAIT_MS = 30_000;

let slack: FakeSlack;
let mistral: FakeMistral;
const running: ParleyProcess[] = [];

beforeAll(async () => {
  slack = await startFakeSlack({ teamId: `T${randomUUID().slice(0, 8).toUpperCase()}` });
  mistral = await startFakeMistral({ apiKey: 'limits-key', agents: [{ id: AGENT, name: 'L' }] });
});
afterAll(async () => {
  await Promise.all(running.map((parley) => parley.kill()));
  await slack.close();
  await mistral.close();
});

async function parley(prefix: string): Promise<ParleyProcess> {
  const started = await startParleyProcess(
    {
      ...slackQueueEnv({ slack, mistral, agentId: AGENT, redisUrl: redisUrl(), prefix }),
      USER_RATE_LIMIT: '2/h',
    },
    ['--role', 'all'],
  );
  running.push(started);
  return started;
}

function mention(text: string, user: string) {
  return slack.userMessage({
    channel: GENERAL,
    user,
    text: `<@${slack.botUserId}> ${text}`,
    mention: true,
  });
}

const replies = (ts: string) =>
  slack.messages(GENERAL, ts).filter((message) => message.isBot && message.stream !== 'streaming');

describe('USER_RATE_LIMIT across processes', () => {
  it('refuses a person’s third message with one notice and no agent call, whichever process takes it, while another person is answered', {
    timeout: 90_000,
  }, async () => {
    const prefix = `t${randomUUID().slice(0, 8)}`;
    const [one, two] = await Promise.all([parley(prefix), parley(prefix)]);
    const events = (process: ParleyProcess | undefined) => `${process?.baseUrl}/slack/events`;
    const asks = [mention('one', ALICE), mention('two', ALICE), mention('three', ALICE)];

    await slack.sendEvent(events(one), asks[0] ?? {});
    await slack.waitFor(() => replies(String(asks[0]?.ts)).length > 0, WAIT_MS);
    await slack.sendEvent(events(two), asks[1] ?? {});
    await slack.waitFor(() => replies(String(asks[1]?.ts)).length > 0, WAIT_MS);
    await slack.sendEvent(events(one), asks[2] ?? {});
    await slack.sendEvent(events(two), { ...asks[2], type: 'message', channel_type: 'channel' });
    await slack.waitFor(() => slack.ephemerals.length > 0, WAIT_MS);
    const fromBob = mention('and me?', BOB);
    await slack.sendEvent(events(two), fromBob);
    await slack.waitFor(() => replies(String(fromBob.ts)).length > 0, WAIT_MS);

    expect(mistral.completions).toHaveLength(3);
    expect(replies(String(asks[2]?.ts))).toEqual([]);
    expect(slack.ephemerals.map((note) => [note.user, note.threadTs])).toEqual([
      [ALICE, asks[2]?.ts],
    ]);
    expect(slack.ephemerals[0]?.text).toContain('limit of 2 agent requests per hour');
    const metrics = await Promise.all(
      [one, two].map(async (process) => (await fetch(`${process?.baseUrl}/metrics`)).text()),
    );
    const refused = metrics.flatMap((body) =>
      body.split('\n').filter((line) => line.startsWith('parley_refused_total{')),
    );
    expect(refused).toEqual(['parley_refused_total{reason="rate_limit"} 1']);
  });
});
