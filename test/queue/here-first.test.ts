import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { DEDUPE_TTL_MS, deliveryClaim } from '../../src/core/dispatcher.js';
import { threadKey } from '../../src/core/model.js';
import { silentLogger } from '../../src/log/logger.js';
import {
  jobIdOf,
  type QueueSettings,
  queueConnection,
  REPLY_QUEUE_NAME,
  type ReplyJob,
} from '../../src/queue/reply-queue.js';
import { createRedisWorkState } from '../../src/store/redis-work-state.js';
import type { ConversationStore } from '../../src/store/store.js';
import { redisUrl } from '../setup/redis.js';
import { gate } from '../support/gate.js';
import { lastText, scriptedAgent } from '../support/scripted-agent.js';
import { settings, setUp, submission, waitUntil } from '../support/work-queue-rig.js';

/**
 * A process that runs ingress and a worker answers what it admits at once, with a ledger entry
 * instead of a queued job (see src/queue/here-first.ts). What the entry is for is proved here
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

/** When an answer's ledger entry comes due (NaN when there is none). */
async function dueAt(prefix: string, jobId: string): Promise<number> {
  const redis = new Redis(redisUrl());
  try {
    const score = await redis.zscore(`${prefix}here:due`, jobId);
    return score === null ? Number.NaN : Number(score);
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

/**
 * A message admitted here by a process that died before answering it: admitted with its ledger
 * entry (receipt) as the admission writes it, before any sign of life, and due at once.
 */
async function admitOrphan(store: ConversationStore, text: string) {
  const message = submission(randomUUID(), text);
  const { thread, deliveryKey } = message.incoming;
  const place = randomUUID();
  const jobId = jobIdOf('reply', deliveryKey);
  const job: ReplyJob = {
    kind: 'reply',
    ranHere: true,
    submission: { ...message, place, acknowledged: { kind: 'none' } },
  };
  const receipt = { jobId, job: JSON.stringify(job), dueAt: Date.now() };
  await store.admit(thread, deliveryClaim(deliveryKey), DEDUPE_TTL_MS, { place, receipt });
  return { message, jobId };
}

describe('answering where the message was admitted', () => {
  it('answers without the queue, keeping a ledger entry instead of a job until the answer ends', async () => {
    const { prefix, queue, seen, startWorker } = setUp({ handover: 'here' });
    const { held, agent } = heldAgent();
    startWorker(agent.client);
    const jobs = inspect(prefix);
    const message = submission(randomUUID(), 'hello');
    const jobId = jobIdOf('reply', message.incoming.deliveryKey);

    await queue.submit(message);
    await waitUntil(() => agent.calls.length === 1);
    expect(await jobs.getJobState(jobId)).toBe('unknown');
    expect(await dueAt(prefix, jobId)).toBeGreaterThan(Date.now());
    held.open();
    await waitUntil(() => seen.replies.length === 1);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: hello']);
    await waitUntil(async () => Number.isNaN(await dueAt(prefix, jobId)));
  });

  it('is acknowledged to the platform once admitted, its ledger entry written by the admission, before the sign of life shows', async () => {
    const shown = gate();
    const { prefix, queue, seen, agent, startWorker } = setUp({
      handover: 'here',
      acknowledge: async () => {
        await shown.until;
        return { kind: 'status' };
      },
    });
    startWorker(agent.client);
    const message = submission(randomUUID(), 'ack me');
    const jobId = jobIdOf('reply', message.incoming.deliveryKey);

    await queue.submit(message);

    expect(await dueAt(prefix, jobId)).toBeGreaterThan(Date.now());
    expect(agent.calls).toHaveLength(0);
    shown.open();
    await waitUntil(() => seen.replies.length === 1);
    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: ack me']);
    await waitUntil(async () => Number.isNaN(await dueAt(prefix, jobId)));
  });

  it("writes no ledger entry for a twin delivery, and the twin leaves the answer's entry pushed back", async () => {
    const { prefix, queue, seen, startWorker } = setUp({
      handover: 'here',
      settings: { lockMs: 1_000 },
    });
    const { held, agent } = heldAgent();
    startWorker(agent.client);
    const jobs = inspect(prefix);
    const message = submission(randomUUID(), 'twice');
    const jobId = jobIdOf('reply', message.incoming.deliveryKey);

    await Promise.all([queue.submit(message), queue.submit(message)]);
    await waitUntil(() => agent.calls.length === 1);
    // Past a whole lock: only the renewal of the answer under way keeps its entry from coming due.
    const firstDue = await dueAt(prefix, jobId);
    await waitUntil(async () => (await dueAt(prefix, jobId)) > firstDue + 1_000);
    expect(await jobs.getJobState(jobId)).toBe('unknown');
    held.open();
    await waitUntil(() => seen.replies.length === 1);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: twice']);
    expect(agent.calls).toHaveLength(1);
    await waitUntil(async () => Number.isNaN(await dueAt(prefix, jobId)));
  });

  it("sends the answer's first store trip behind the admission, before the admission is answered", async () => {
    const calls: string[] = [];
    let isAdmitting = false;
    const { queue, seen, agent, startWorker } = setUp({
      handover: 'here',
      wrapStore: (store) => ({
        ...store,
        admit: (...args) => {
          isAdmitting = true;
          return store.admit(...args).finally(() => {
            isAdmitting = false;
          });
        },
        appendIf: (...args) => {
          calls.push(`appendIf${isAdmitting ? ' while admitting' : ''}`);
          return store.appendIf(...args);
        },
        takeTurn: (...args) => {
          calls.push(`takeTurn${isAdmitting ? ' while admitting' : ''}`);
          return store.takeTurn(...args);
        },
      }),
    });
    startWorker(agent.client);

    await queue.submit(submission(randomUUID(), 'quick'));
    await waitUntil(() => seen.replies.length === 1);

    expect(calls).toEqual(['appendIf while admitting', 'takeTurn while admitting']);
    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: quick']);
  });

  it('answers a message whose acknowledgement failed (against its contract), once, never withdrawing it', async () => {
    const { queue, seen, agent, startWorker } = setUp({
      handover: 'here',
      acknowledge: async () => {
        throw new Error('platform down');
      },
    });
    startWorker(agent.client);
    const message = submission(randomUUID(), 'still answered');

    await queue.submit(message);
    await queue.submit(message);
    await waitUntil(() => seen.replies.length >= 1);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: still answered']);
    expect(agent.calls).toHaveLength(1);
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
    const message = submission(randomUUID(), 'during a deploy');

    await queue.submit(message);
    await waitUntil(() => stuck.calls.length === 1);
    expect(await dueAt(prefix, jobIdOf('reply', message.incoming.deliveryKey))).toBeGreaterThan(0);
    await leaving.close(0);
    await waitUntil(() => seen.replies.length === 1);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: during a deploy']);
    expect(seen.notices).toEqual([]);
    expect(other.calls).toHaveLength(1);
  });

  it('takes over the answer of a process that died: its ledger entry comes due and any worker queues it', async () => {
    const { prefix, store, seen, agent, startWorker } = setUp({ settings: { lockMs: 1_000 } });
    startWorker(agent.client);
    // A process that admitted both (writing their ledger entries) and died before answering.
    const garbled = { jobId: 'job-garbled', job: '{"kind":"reply"', dueAt: Date.now() };

    const { message, jobId } = await admitOrphan(store, 'orphaned');
    const { thread } = message.incoming;
    await store.admit(thread, 'delivery:garbled', DEDUPE_TTL_MS, { receipt: garbled });
    await waitUntil(() => seen.replies.length === 1);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: orphaned']);
    await waitUntil(async () => Number.isNaN(await dueAt(prefix, jobId)));
    await waitUntil(async () => Number.isNaN(await dueAt(prefix, 'job-garbled')));
  });

  it('adopts a placeholder the dead process posted and never recorded, so the retry edits it', async () => {
    const { store, seen, agent, port, startWorker } = setUp({ settings: { lockMs: 1_000 } });
    // The thread as Slack shows it: the dead process's "thinking" placeholder after the message.
    const lookedAfter: string[] = [];
    port.postedAfter = async (_target, after) => {
      lookedAfter.push(after);
      return ['P-orphan'];
    };
    const journals: (readonly string[])[] = [];
    const sinkOf = port.sink.bind(port);
    port.sink = (target, context) => {
      journals.push([...(context?.journal?.posted ?? [])]);
      return sinkOf(target, context);
    };
    startWorker(agent.client);

    // Its receipt names no placeholder: it was written before the sign of life.
    const { message } = await admitOrphan(store, 'left thinking');
    await waitUntil(() => seen.replies.length === 1);

    expect(lookedAfter).toEqual([message.incoming.message.id]);
    expect(journals).toEqual([['P-orphan']]);
    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: left thinking']);
  });

  it('adopts a handed-over part’s message the dead process never recorded into that part', async () => {
    const { prefix, store, seen, agent, port, startWorker } = setUp({
      settings: { lockMs: 1_000 },
    });
    const lookedAfter: string[] = [];
    port.postedAfter = async (_target, after) => {
      lookedAfter.push(after);
      return ['P1-orphan'];
    };
    const parts: (readonly string[])[][] = [];
    const sinkOf = port.sink.bind(port);
    port.sink = (target, context) => {
      const journal = context?.journal;
      parts.push([journal?.posted ?? [], journal?.part?.(1).posted ?? []]);
      return sinkOf(target, context);
    };
    // The dead process posted its first part, then began the handed-over part's first message.
    const { message, jobId } = await admitOrphan(store, 'handed over');
    const work = createRedisWorkState({ url: redisUrl(), keyPrefix: prefix, logger: silentLogger });
    const dead = await work.journal(jobId, threadKey(message.incoming.thread));
    await dead.record(0, 'm0');
    await dead.part(1).intend(0);
    await work.close();
    startWorker(agent.client);

    await waitUntil(() => seen.replies.length === 1);

    expect(lookedAfter).toEqual(['m0']);
    expect(parts).toEqual([[['m0'], ['P1-orphan']]]);
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

    expect(state).not.toBe('unknown');
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
