import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { redisUrl } from '../setup/redis.js';

// A prefix of its own: other test files share the test Redis (and their queues would mix).
const PREFIX = `t${randomUUID().slice(0, 8)}`;

import {
  type ParleyProcess,
  slackQueueEnv,
  startParleyProcess,
} from '../support/parley-process.js';

const AGENT = 'ag:scale:main';
const DM = 'D0ALICE';
const THREADS = 50;
const PER_THREAD = 4;
let slack: FakeSlack;
let mistral: FakeMistral;
const running: ParleyProcess[] = [];

beforeAll(async () => {
  slack = await startFakeSlack({ teamId: `T${randomUUID().slice(0, 8).toUpperCase()}` });
  mistral = await startFakeMistral({ apiKey: 'scale-key', agents: [{ id: AGENT, name: 'Scale' }] });
  // Answers stream in pieces over ~100 ms, so a worker killed at any moment is mid-answer.
  mistral.setResponder((request) => {
    const last = request.messages.at(-1);
    return { kind: 'reply', text: `re: ${String(last?.content)}`, chunkSize: 4, chunkDelayMs: 10 };
  });
});
afterAll(async () => {
  await Promise.all(running.map((parley) => parley.kill()));
  await slack.close();
  await mistral.close();
});

async function parley(role: string): Promise<ParleyProcess> {
  const started = await startParleyProcess(
    {
      ...slackQueueEnv({ slack, mistral, agentId: AGENT, redisUrl: redisUrl(), prefix: PREFIX }),
      // Three Parley processes and the fakes share two cores with the rest of the suite: a
      // 10 s lock keeps a starved but live worker's jobs from being taken over (a false
      // stall); production-path.test.ts covers the default 5 s lock.
      QUEUE_LOCK_MS: '10000',
    },
    ['--role', role],
  );
  running.push(started);
  return started;
}

/** The bot's replies in a DM thread, in order. */
function replies(root: string) {
  return slack.messages(DM, root).filter((message) => message.isBot);
}

describe('scaled out: 1 ingress + 2 workers', () => {
  it('answers 200 messages over 50 threads exactly once each, in order, though a worker is killed mid-stream', {
    timeout: 120_000,
  }, async () => {
    const web = await parley('web');
    const [doomed] = await Promise.all([parley('worker'), parley('worker')]);
    const events = `${web.baseUrl}/slack/events`;
    const roots: string[] = [];
    for (let thread = 0; thread < THREADS; thread += 1) {
      const root = slack.userMessage({ channel: DM, user: 'U0ALICE', text: `t${thread} m0` });
      roots.push(String(root.ts));
      await slack.sendEvent(events, root);
    }
    for (let step = 1; step < PER_THREAD; step += 1) {
      await Promise.all(
        roots.map((root, thread) =>
          slack.sendEvent(
            events,
            slack.userMessage({
              channel: DM,
              user: 'U0ALICE',
              text: `t${thread} m${step}`,
              threadTs: root,
            }),
          ),
        ),
      );
      if (step === 1) {
        await slack.waitFor(
          () => roots.reduce((sum, root) => sum + replies(root).length, 0) >= 40,
          30_000,
        );
        await doomed?.kill();
      }
    }
    const expected = (thread: number) =>
      Array.from({ length: PER_THREAD }, (_, step) => `re: t${thread} m${step}`);
    const isDone = () =>
      roots.every(
        (root, thread) =>
          replies(root)
            .map((reply) => reply.text)
            .join('|') === expected(thread).join('|'),
      );
    await slack.waitFor(isDone, 90_000).catch(() => undefined);

    for (const [thread, root] of roots.entries()) {
      expect(replies(root).map((reply) => reply.text)).toEqual(expected(thread));
    }
    const answered = roots.flatMap(replies);
    expect(answered).toHaveLength(THREADS * PER_THREAD);
  });
});

describe('scaled out: a role-play', () => {
  it('started at the ingress is played by a worker through the reply ports', {
    timeout: 60_000,
  }, async () => {
    const web = await parley('web');
    await parley('worker');
    mistral.setResponder((request) => ({ kind: 'reply', text: `${request.agentId} speaks` }));

    await slack.sendSlashCommand(`${web.baseUrl}/slack/events`, {
      command: '/roleplay',
      text: `${AGENT} ${AGENT} 2 "the queue"`,
      user_id: 'U0ALICE',
      channel_id: 'C0GENERAL',
    });
    const root = () =>
      slack.messages('C0GENERAL').find((message) => message.isBot && message.text.startsWith('🎭'))
        ?.ts ?? '';
    const closing = () =>
      slack.messages('C0GENERAL', root()).find((message) => message.text.startsWith('🎬'));
    await slack.waitFor(() => root() !== '' && closing() !== undefined, 30_000);

    const lines = slack
      .messages('C0GENERAL', root())
      .filter((message) => message.username === 'Scale');
    expect(lines.map((line) => line.text)).toEqual([`${AGENT} speaks`, `${AGENT} speaks`]);
    expect(closing()?.text).toBe('🎬 The end: 2 turns done.');
  });
});
