import { createHash } from 'node:crypto';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { Dispatcher } from '../core/dispatcher.js';
import { threadKey } from '../core/model.js';
import {
  handleSubmission,
  type Inbox,
  type PortFinder,
  type ReplyPort,
  type Submission,
} from '../core/replies.js';
import { withinMs } from '../core/timing.js';
import type { Logger } from '../log/logger.js';
import type { WorkState } from './work-state.js';

/**
 * Parley's work queue on BullMQ. Ingress (Slack HTTP, the Discord gateway) only validates,
 * dedupes and enqueues; workers answer. Order per thread: ingress takes a ticket from the
 * thread's counter when it enqueues; a worker answers a job only once every earlier ticket
 * of its thread is done, and otherwise puts the job back, delayed, without holding a slot.
 * Different threads run in parallel. A worker that dies mid-answer loses its job lock; BullMQ
 * moves the job back (stalled-job recovery) and another worker answers it, editing the
 * messages the first one posted (the reply journal) instead of posting a second answer.
 */
export const REPLY_QUEUE_NAME = 'parley-replies';

export type WorkJob =
  | { readonly kind: 'reply'; readonly submission: Submission; readonly seq: number }
  | { readonly kind: 'play'; readonly thread: string };

export interface QueueSettings {
  readonly redisUrl: string;
  /** BullMQ's key prefix: deployments (and test runs) sharing a Redis keep their queues apart. */
  readonly prefix: string;
  /** How long a job's lock lasts without renewal: a dead worker's job is retried after about this. */
  readonly lockMs: number;
  /** Jobs one worker process answers at once. */
  readonly concurrency: number;
  /** Agent calls per second across all workers (the Mistral key's limit is global); none when undefined. */
  readonly agentCallsPerSecond: number | undefined;
}

// Where a job waits for an earlier one of its thread, it looks again after this long.
const ORDER_RECHECK_MS = 100;
// An earlier message that is still not answered after this long is not waited for any more
// (it was lost for good); the order is kept in every other case.
const MAX_ORDER_WAIT_MS = 10 * 60 * 1_000;
// A job that stalls this many times (its worker died again and again) fails rather than loop.
const MAX_STALLS = 3;
// Completed jobs are kept this long: their ids dedupe redeliveries (Slack retries for ~5 minutes).
const KEEP_COMPLETED_S = 60 * 60;

function connection(url: string) {
  // BullMQ's blocking commands must wait for ever, not fail fast like the store's connection.
  return { url, maxRetriesPerRequest: null };
}

/** A job id from a delivery key: BullMQ ids may not contain ':'. */
function jobIdOf(kind: string, key: string): string {
  return `${kind}-${createHash('sha1').update(key).digest('hex')}`;
}

export interface WorkQueue extends Inbox {
  /** Queues a role-play to be driven by a worker. */
  schedulePlay(thread: string): Promise<void>;
  /** Milliseconds the whole queue is still held back by a rate limit (0 when it is not). */
  rateLimitTtl(): Promise<number>;
  close(): Promise<void>;
}

/** The ingress side: enqueue with a ticket in the thread's order, deduped by delivery key. */
export function createWorkQueue(
  settings: QueueSettings,
  work: WorkState,
  logger: Logger,
): WorkQueue {
  const queue = new Queue<WorkJob>(REPLY_QUEUE_NAME, {
    connection: connection(settings.redisUrl),
    prefix: settings.prefix,
  });
  const options = {
    removeOnComplete: { age: KEEP_COMPLETED_S },
    removeOnFail: { age: 24 * KEEP_COMPLETED_S },
  };
  queue.on('error', (error) => logger.warn('queue connection error', { error }));
  return {
    async submit(submission) {
      const thread = threadKey(submission.incoming.thread);
      const seq = await work.ticket(thread);
      const jobId = jobIdOf('reply', submission.incoming.deliveryKey);
      try {
        const job = await queue.add(
          'reply',
          { kind: 'reply', submission, seq },
          { ...options, jobId },
        );
        // A redelivery finds the first job: its ticket is spent, so the thread does not wait on it.
        if (job.data.kind === 'reply' && job.data.seq !== seq) await work.complete(thread, seq);
      } catch (error) {
        await work.complete(thread, seq).catch(() => undefined);
        throw error;
      }
    },
    async schedulePlay(thread) {
      // One job per running play; removed once done so the play can be scheduled again if a
      // worker hands it back (adoption re-schedules running plays nobody drives).
      const once = { removeOnComplete: true, removeOnFail: true, jobId: jobIdOf('play', thread) };
      await queue.add('play', { kind: 'play', thread }, once);
    },
    rateLimitTtl: async () => Math.max(0, await queue.getRateLimitTtl()),
    close: () => queue.close(),
  };
}

export interface WorkerDeps {
  readonly dispatcher: Dispatcher;
  readonly ports: PortFinder;
  readonly work: WorkState;
  readonly logger: Logger;
  /** Drives a role-play to its end (or until handed back). */
  readonly drivePlay: (thread: string) => Promise<void>;
}

export interface WorkRunner {
  /** Slows every worker of the queue (Mistral answered 429). */
  rateLimit(ms: number): void;
  /** Stops taking jobs; waits up to `graceMs` for the ones under way, then leaves them to others. */
  close(graceMs: number): Promise<void>;
}

/** A worker process's side: answers jobs in thread order, retries safely. */
export function createWorkRunner(settings: QueueSettings, deps: WorkerDeps): WorkRunner {
  const log = deps.logger.child({ component: 'worker' });
  const limiter =
    settings.agentCallsPerSecond === undefined
      ? {}
      : { limiter: { max: settings.agentCallsPerSecond, duration: 1_000 } };
  const worker = new Worker<WorkJob>(
    REPLY_QUEUE_NAME,
    (job, token) => processJob(job, token, deps),
    {
      connection: connection(settings.redisUrl),
      prefix: settings.prefix,
      concurrency: settings.concurrency,
      lockDuration: settings.lockMs,
      stalledInterval: settings.lockMs,
      maxStalledCount: MAX_STALLS,
      ...limiter,
    },
  );
  worker.on('error', (error) => log.warn('worker connection error', { error }));
  worker.on('failed', (job, error) => log.warn('job failed', { job: job?.id, error }));
  return {
    rateLimit(ms) {
      void worker
        .rateLimit(ms)
        .catch((error: unknown) => log.warn('rate limit not applied', { error }));
    },
    async close(graceMs) {
      const result = await withinMs(worker.close(), graceMs, 'late' as const);
      // Jobs still running are left to their locks: they lapse and another worker takes over.
      if (result === 'late') await worker.close(true);
    },
  };
}

async function processJob(
  job: Job<WorkJob>,
  token: string | undefined,
  deps: WorkerDeps,
): Promise<void> {
  if (job.data.kind === 'play') return deps.drivePlay(job.data.thread);
  const { submission, seq } = job.data;
  const thread = threadKey(submission.incoming.thread);
  if (!(await deps.work.isTurn(thread, seq))) {
    if (Date.now() - job.timestamp < MAX_ORDER_WAIT_MS) {
      await job.moveToDelayed(Date.now() + ORDER_RECHECK_MS, token);
      throw new DelayedError();
    }
    deps.logger.warn('earlier message never answered; going ahead', { thread, seq });
  }
  try {
    const port = deps.ports(submission.target.platform);
    if (port === undefined)
      throw new Error(`this worker cannot reply on ${submission.target.platform}`);
    const jobId = job.id ?? jobIdOf('reply', submission.incoming.deliveryKey);
    const journal = await recoveredJournal(jobId, submission, port, deps);
    await handleSubmission(deps.dispatcher, port, submission, journal, {
      isClaimed: true,
      isRetry: job.attemptsStarted > 1,
    });
  } finally {
    await deps.work.complete(thread, seq);
  }
}

/**
 * The job's journal; when an earlier attempt died between posting a message and recording it,
 * the message is found in the thread (Parley's own, after the last one it recorded) and adopted,
 * so the retry edits it rather than posting a second answer.
 */
async function recoveredJournal(
  jobId: string,
  submission: Submission,
  port: ReplyPort,
  deps: WorkerDeps,
) {
  const thread = threadKey(submission.incoming.thread);
  const journal = await deps.work.journal(jobId, thread);
  if (!journal.isUnsure) return journal;
  const after = journal.posted.at(-1) ?? journal.lastInThread ?? submission.incoming.message.id;
  const lost = await port.postedAfter(submission.target, after);
  for (const [offset, id] of lost.entries())
    await journal.record(journal.posted.length + offset, id);
  deps.logger.info('reply recovered after a dead worker', { thread, messages: lost.length });
  return deps.work.journal(jobId, thread);
}
