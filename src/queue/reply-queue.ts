import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { DEDUPE_TTL_MS, deliveryClaim } from '../core/dispatcher.js';
import type {
  Acknowledgement,
  Inbox,
  PortFinder,
  QueuedSubmission,
  Submission,
} from '../core/replies.js';
import type { Logger } from '../log/logger.js';
import type { ConversationStore } from '../store/store.js';
import type { HereFirst, HereStart } from './here-first.js';

/**
 * Parley's work queue on BullMQ. Ingress (Slack HTTP, the Discord gateway) validates, admits
 * and acknowledges each message, then enqueues it; workers answer.
 *
 * Order per thread has one mechanism: the store's turn line. Admitting a message claims its
 * delivery (a duplicate stops here) and takes its place in the thread's line in the same Redis
 * script, before the job exists, so the line holds arrival order whichever worker picks the
 * job up. The worker adopts that place and answers when it is first in line. Every place is a
 * lease: one that nobody adopts (its job never ran), or whose worker died, lapses on its own
 * within seconds, so no delivery, duplicate, crash or failure can leave a hole that later
 * messages wait behind. The queue itself only moves work and recovers it from dead workers.
 */
export const REPLY_QUEUE_NAME = 'parley-replies';
/** Role-plays have a queue (and capacity) of their own: a long play never holds an answer's slot. */
export const PLAY_QUEUE_NAME = 'parley-plays';

export interface ReplyJob {
  readonly kind: 'reply';
  readonly submission: QueuedSubmission;
  /** Answered first by the process that admitted it (see here-first): this run is a retry. */
  readonly ranHere?: true;
}
export type PlayJob = { readonly kind: 'play'; readonly thread: string };

export interface QueueSettings {
  readonly redisUrl: string;
  /** BullMQ's key prefix: deployments (and test runs) sharing a Redis keep their queues apart. */
  readonly prefix: string;
  /** How long a job's lock lasts without renewal: a dead worker's job is taken over after about this. */
  readonly lockMs: number;
  /** Answers one worker process holds in flight at most (they wait on Mistral, not on CPU). */
  readonly concurrency: number;
  /** Role-plays one worker process drives at once. */
  readonly playConcurrency: number;
  /** Agent calls per second across all workers (the Mistral key's limit is global); none when undefined. */
  readonly agentCallsPerSecond: number | undefined;
}

// A lock is renewed every half lock. BullMQ marks a job with a lapsed lock at one stalled check
// and moves it back at the next: with the 5 s default lock, a dead worker's job is taken over
// 5–8 s after it died.
const STALLED_CHECK_MS = 1_500;

/** How often workers look for jobs whose lock lapsed. */
export function stalledCheckMs(lockMs: number): number {
  return Math.min(lockMs, STALLED_CHECK_MS);
}

// A job handed back by a worker shutting down is retried at once elsewhere; this many times.
export const REPLY_ATTEMPTS = 5;
// Failed jobs are kept a day for inspection; answered ones are not kept (the store dedupes).
const KEEP_FAILED_S = 24 * 60 * 60;

/** BullMQ's connection options: its blocking commands must wait for ever, not fail fast. */
export function queueConnection(url: string) {
  return { url, maxRetriesPerRequest: null };
}

/** How a reply job is queued: attempts, and what is kept of it once done. */
const REPLY_JOB_OPTIONS = {
  removeOnComplete: true,
  removeOnFail: { age: KEEP_FAILED_S },
  attempts: REPLY_ATTEMPTS,
} as const;

/** A job id from a delivery key: BullMQ ids may not contain ':'. */
export function jobIdOf(kind: string, key: string): string {
  return `${kind}-${createHash('sha1').update(key).digest('hex')}`;
}

export interface WorkQueue extends Inbox {
  /** Queues a role-play to be driven by a worker. */
  schedulePlay(thread: string): Promise<void>;
  /** Queues a reply job for any worker now: handed back, or its here-first process died. */
  requeue(jobId: string, job: ReplyJob): Promise<void>;
  /** Milliseconds the whole queue is still held back by a rate limit (0 when it is not). */
  rateLimitTtl(): Promise<number>;
  close(): Promise<void>;
}

export interface WorkQueueDeps {
  readonly store: ConversationStore;
  /** The ports ingress acknowledges through. */
  readonly ports: PortFinder;
  readonly logger: Logger;
  /** This process's worker, when it runs one: it answers what it has room for at once. */
  readonly here?: () => HereFirst | undefined;
}

/** The ingress side: admit (dedupe + place in line), acknowledge, enqueue. */
export function createWorkQueue(settings: QueueSettings, deps: WorkQueueDeps): WorkQueue {
  const connection = { connection: queueConnection(settings.redisUrl), prefix: settings.prefix };
  const replies = new Queue<ReplyJob>(REPLY_QUEUE_NAME, connection);
  const plays = new Queue<PlayJob>(PLAY_QUEUE_NAME, connection);
  for (const queue of [replies, plays])
    queue.on('error', (error) => deps.logger.warn('queue connection error', { error }));

  /** Queues a reply job: for a worker at once, or again (handed back, or its process died). */
  async function enqueue(jobId: string, job: ReplyJob): Promise<void> {
    await replies.add('reply', job, { ...REPLY_JOB_OPTIONS, jobId });
  }

  /**
   * Admitted and begun here: answered here whatever else fails (the message may be in its
   * history already, so it is never withdrawn). Its ledger entry was written by the admission.
   */
  async function answerHere(here: HereStart, submission: Submission, place: string) {
    const acknowledged = await acknowledge(deps.ports, submission).catch(
      (): Acknowledgement => ({ kind: 'none' }),
    );
    here.run({ kind: 'reply', submission: { ...submission, place, acknowledged } });
  }

  return {
    async submit(submission) {
      const { thread, deliveryKey } = submission.incoming;
      const claim = deliveryClaim(deliveryKey);
      const join = submission.joins === true ? { join: true } : {};
      const token = randomUUID();
      const jobId = jobIdOf('reply', deliveryKey);
      const reserved = deps.here?.()?.reserve(submission, token, jobId);
      const admitting = deps.store.admit(thread, claim, DEDUPE_TTL_MS, {
        ...join,
        place: token,
        ...(reserved && { receipt: reserved.receipt }),
      });
      // Begun in the same tick: the answer's first trip goes out right behind the admission.
      const here = reserved?.begin(admitting.then((place) => place !== undefined));
      const place = await admitting.catch((error: unknown) => {
        here?.drop();
        throw error;
      });
      if (place === undefined) return here?.drop();
      // Admitted with its receipt: safe to acknowledge now, while the answer goes on.
      if (here !== undefined) return void answerHere(here, submission, place);
      try {
        const acknowledged = await acknowledge(deps.ports, submission);
        const data: ReplyJob = {
          kind: 'reply',
          submission: { ...submission, place, acknowledged },
        };
        await enqueue(jobId, data);
      } catch (error) {
        // Not queued: the platform's redelivery must find the message new, and nobody waits on it.
        await deps.store.withdraw(thread, claim, place).catch((withdrawError: unknown) => {
          deps.logger.warn('admission not withdrawn', { error: withdrawError });
        });
        throw error;
      }
    },
    async schedulePlay(thread) {
      // One job per running play; removed once done so the play can be scheduled again if a
      // worker hands it back (adoption re-schedules running plays nobody drives).
      const once = { removeOnComplete: true, removeOnFail: true, jobId: jobIdOf('play', thread) };
      await plays.add('play', { kind: 'play', thread }, once);
    },
    requeue: enqueue,
    rateLimitTtl: async () => Math.max(0, await replies.getRateLimitTtl()),
    async close() {
      await Promise.all([replies.close(), plays.close()]);
    },
  };
}

/** A sign of life before the message waits for a worker (nothing where no port is here). */
async function acknowledge(ports: PortFinder, submission: Submission): Promise<Acknowledgement> {
  const port = ports(submission.target.platform);
  return port === undefined ? { kind: 'none' } : port.acknowledge(submission.target);
}
