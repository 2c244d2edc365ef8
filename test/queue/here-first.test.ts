import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  jobIdOf,
  type QueueSettings,
  queueConnection,
  REPLY_QUEUE_NAME,
} from '../../src/queue/reply-queue.js';
import { redisUrl } from '../setup/redis.js';
import { gate } from '../support/gate.js';
import { lastText, scriptedAgent } from '../support/scripted-agent.js';
import { settings, setUp, submission, waitUntil } from '../support/work-queue-rig.js';

/**
 * A process that runs ingress and a worker answers what it admits at once, with the job queued
 * only as a delayed backup (see src/queue/here-first.ts). What the backup is for is proved here
 * in one process; a process killed mid-answer is in test/e2e/production-path.test.ts.
 */
const inspectors: Queue[] = [];
afterEach(async () => {
  await Promise.all(inspectors.splice(0).map((queue) => queue.close()));
});

/** The reply queue as BullMQ has it, to look at a job's state. */
function inspect(prefix: string): Queue {
  const queue = new Queue(REPLY_QUEUE_NAME, {
    connection: queueConnection(settings(prefix).redisUrl),
    prefix: settings(prefix).prefix,
  });
  inspectors.push(queue);
  return queue;
}

/** When a delayed job comes due (BullMQ scores delayed jobs by due time × 4096). */
async function dueAt(prefix: string, jobId: string): Promise<number> {
  const redis = new Redis(redisUrl());
  try {
    const key = `${settings(prefix).prefix}:${REPLY_QUEUE_NAME}:delayed`;
    const score = await redis.zscore(key, jobId);
    return score === null ? Number.NaN : Math.floor(Number(score) / 0x1000);
  } finally {
    redis.disconnect();
  }
}

function heldAgent() {
  const held = gate();
  const agent = scriptedAgent(async (request) => {
    await held.until;
    return { chunks: [`re: ${lastText(request)}`] };
  });
  return { held, agent };
}

describe('answering where the message was admitted', () => {
  it('answers without the queue, keeping its job only as a delayed backup until the answer ends', async () => {
    const { prefix, queue, seen, startWorker } = setUp({ handover: 'here' });
    const { held, agent } = heldAgent();
    startWorker(agent.client);
    const jobs = inspect(prefix);
    const message = submission(randomUUID(), 'hello');
    const jobId = jobIdOf('reply', message.incoming.deliveryKey);

    await queue.submit(message);
    await waitUntil(() => agent.calls.length === 1);
    expect(await jobs.getJobState(jobId)).toBe('delayed');
    held.open();
    await waitUntil(() => seen.replies.length === 1);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: hello']);
    await waitUntil(async () => (await jobs.getJobState(jobId)) === 'unknown');
  });

  it('keeps pushing the backup back while a long answer runs, so no other worker takes it', async () => {
    const lockMs = 1_000;
    const { prefix, queue, seen, startWorker } = setUp({ handover: 'here', settings: { lockMs } });
    const { held, agent } = heldAgent();
    startWorker(agent.client);
    const other = scriptedAgent(() => ({ chunks: ['a second answer'] }));
    startWorker(other.client);
    const message = submission(randomUUID(), 'a long one');
    const jobId = jobIdOf('reply', message.incoming.deliveryKey);

    await queue.submit(message);
    await waitUntil(() => agent.calls.length === 1);
    const firstDue = await dueAt(prefix, jobId);
    // The answer runs past the backup's first due time; it has been pushed back meanwhile.
    await waitUntil(() => Date.now() > firstDue + lockMs);
    expect(await dueAt(prefix, jobId)).toBeGreaterThan(Date.now());
    held.open();
    await waitUntil(() => seen.replies.length === 1);

    expect(other.calls).toHaveLength(0);
    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: a long one']);
  });

  it('hands an answer under way to another worker at shutdown, unseen and once', async () => {
    const { prefix, queue, seen, startWorker } = setUp({ handover: 'here' });
    const stuck = scriptedAgent(() => new Promise(() => {}));
    const leaving = startWorker(stuck.client);
    const other = scriptedAgent((request) => ({ chunks: [`re: ${lastText(request)}`] }));
    startWorker(other.client);
    const jobs = inspect(prefix);
    const message = submission(randomUUID(), 'during a deploy');

    await queue.submit(message);
    await waitUntil(() => stuck.calls.length === 1);
    expect(await jobs.getJobState(jobIdOf('reply', message.incoming.deliveryKey))).toBe('delayed');
    await leaving.close(0);
    await waitUntil(() => seen.replies.length === 1);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: during a deploy']);
    expect(seen.notices).toEqual([]);
    expect(other.calls).toHaveLength(1);
  });

  it.each<[string, Partial<QueueSettings>]>([
    [
      'a global agent-call limit is set (its limiter counts every job)',
      { agentCallsPerSecond: 50 },
    ],
    ['answers here are at their bound', { concurrency: 1 }],
  ])('queues the message for any worker when %s', async (_, overrides) => {
    const { prefix, queue, seen, startWorker } = setUp({ handover: 'here', settings: overrides });
    const { held, agent } = heldAgent();
    startWorker(agent.client);
    const jobs = inspect(prefix);
    const messages = [submission(randomUUID(), 'one'), submission(randomUUID(), 'two')];
    const [, second] = messages;

    for (const message of messages) await queue.submit(message);
    await waitUntil(() => agent.calls.length >= 1);
    const state = await jobs.getJobState(jobIdOf('reply', second?.incoming.deliveryKey ?? ''));
    held.open();
    await waitUntil(() => seen.replies.length === 2);

    expect(state).not.toBe('delayed');
    expect(new Set(seen.replies.map((reply) => reply.answer))).toEqual(
      new Set(['re: one', 're: two']),
    );
  });

  it('sends new messages through the queue while Mistral holds this process back (429)', () => {
    const { startWorker, agent } = setUp({ handover: 'here' });
    const runner = startWorker(agent.client);
    expect(runner.here.hasRoom()).toBe(true);

    runner.rateLimit(60_000);

    expect(runner.here.hasRoom()).toBe(false);
    runner.rateLimit(0);
  });
});
