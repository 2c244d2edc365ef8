import { getHeapStatistics } from 'node:v8';
import { UnrecoverableError, Worker } from 'bullmq';
import type { HeadStart } from '../core/dispatch-history.js';
import type { Dispatcher } from '../core/dispatcher.js';
import { threadKey } from '../core/model.js';
import { handleSubmission, incomingFor, type PortFinder, type ReplyPort } from '../core/replies.js';
import { withinMs } from '../core/timing.js';
import type { Logger } from '../log/logger.js';
import { createHereRuns, type HereFirst, type HereOutcome, watchLedger } from './here-first.js';
import {
  jobIdOf,
  PLAY_QUEUE_NAME,
  type PlayJob,
  type QueueSettings,
  queueConnection,
  REPLY_QUEUE_NAME,
  type ReplyJob,
  stalledCheckMs,
} from './reply-queue.js';
import type { JobJournal, WorkState } from './work-state.js';

export interface WorkerDeps {
  readonly dispatcher: Dispatcher;
  readonly ports: PortFinder;
  readonly work: WorkState;
  /** Queues a reply job for any worker now (the ingress queue's `requeue`; it closes after this). */
  readonly requeue: (jobId: string, job: ReplyJob) => Promise<void>;
  readonly logger: Logger;
  /** Drives a role-play until it ends or is handed back. */
  readonly drivePlay: (thread: string) => Promise<void>;
  /** Hands every play this process drives back (shutdown). */
  readonly handBackPlays: () => Promise<void>;
  /** Heap in use past which the worker takes no new job until it falls again; default 3/4 of V8's limit. */
  readonly maxHeapBytes?: number;
}

export interface WorkRunner {
  /** Answers at once what this process's ingress admits, while it has room (see here-first). */
  readonly here: HereFirst;
  /** Slows every worker of the queue (Mistral answered 429). */
  rateLimit(ms: number): void;
  /**
   * Stops taking jobs and lets answers under way finish for up to `graceMs`; then hands the rest
   * back unseen (no "send again"): another worker retries them at once, editing what was posted.
   */
  close(graceMs: number): Promise<void>;
}

/** Thrown from a job handed back: BullMQ then queues it again at once (attempts). */
class HandedBack extends Error {
  override readonly name = 'HandedBack';
}

// A job that stalls this many times (its worker died again and again) fails rather than loop.
const MAX_STALLS = 3;
// After handing back, the jobs' final writes get this long before the worker is closed hard.
const HAND_BACK_MS = 3_000;
// A forced close that still hangs (Redis unreachable) is left behind after this long.
const FORCE_CLOSE_MS = 2_000;
const MEMORY_CHECK_MS = 1_000;

/** A worker process's side: answers replies and drives plays, each on its own capacity. */
export function createWorkRunner(settings: QueueSettings, deps: WorkerDeps): WorkRunner {
  const log = deps.logger.child({ component: 'worker' });
  const handBack = new AbortController();
  const common = {
    connection: queueConnection(settings.redisUrl),
    prefix: settings.prefix,
    lockDuration: settings.lockMs,
    stalledInterval: stalledCheckMs(settings.lockMs),
    maxStalledCount: MAX_STALLS,
  };
  const limiter =
    settings.agentCallsPerSecond === undefined
      ? {}
      : { limiter: { max: settings.agentCallsPerSecond, duration: 1_000 } };
  const replies = new Worker<ReplyJob>(
    REPLY_QUEUE_NAME,
    async (job) => {
      const isRetry = job.attemptsStarted > 1 || job.data.ranHere === true;
      const jobId = job.id ?? jobIdOf('reply', job.data.submission.incoming.deliveryKey);
      const outcome = await answerReply(job.data, jobId, isRetry, deps, handBack.signal);
      if (outcome === 'handed-back') throw new HandedBack('reply handed back');
    },
    { ...common, concurrency: settings.concurrency, ...limiter },
  );
  const plays = new Worker<PlayJob>(
    PLAY_QUEUE_NAME,
    async (job) => {
      await deps.drivePlay(job.data.thread);
      if (handBack.signal.aborted) throw new HandedBack('play handed back');
    },
    { ...common, concurrency: settings.playConcurrency },
  );
  for (const worker of [replies, plays]) {
    worker.on('error', (error) => log.warn('worker connection error', { error }));
    worker.on('failed', (job, error) => {
      if (!(error instanceof HandedBack)) log.warn('job failed', { job: job?.id, error });
    });
  }
  const memory = watchMemory(replies, deps.maxHeapBytes ?? defaultMaxHeap(), log);
  const ledgerWatch = watchLedger(deps.work.ledger, deps.requeue, settings.lockMs, log);
  const here = createHereRuns(
    {
      lockMs: settings.lockMs,
      concurrency: settings.concurrency,
      isLimited: settings.agentCallsPerSecond !== undefined,
      isPaused: () => replies.isPaused(),
    },
    {
      requeue: deps.requeue,
      canAnswer: (submission) => deps.ports(submission.target.platform) !== undefined,
      start(submission, place, admission) {
        const port = deps.ports(submission.target.platform);
        if (port === undefined) throw new Error(`no reply port for ${submission.target.platform}`);
        const incoming = incomingFor(submission, port);
        return deps.dispatcher.startAhead(incoming, { place, admission }, handBack.signal);
      },
      answer: (job, jobId, head) => answerReply(job, jobId, false, deps, handBack.signal, head),
    },
    deps.work.ledger,
    log,
  );
  return {
    here,
    rateLimit(ms) {
      here.holdBack(ms);
      void replies
        .rateLimit(ms)
        .catch((error: unknown) => log.warn('rate limit not applied', { error }));
    },
    async close(graceMs) {
      clearInterval(memory);
      clearInterval(ledgerWatch);
      await closeWithin(graceMs);
    },
  };

  async function closeWithin(graceMs: number): Promise<void> {
    const closing = Promise.all([replies.close(), plays.close(), here.close()]);
    // A play runs for minutes: hand it back now rather than at the end of the grace.
    await deps.handBackPlays();
    // What is left after the hand-back and a forced close is what answers get to finish.
    const finishMs = Math.max(0, graceMs - HAND_BACK_MS - FORCE_CLOSE_MS);
    if ((await withinMs(closing, finishMs, 'late' as const)) !== 'late') return;
    log.info('handing answers under way back', {});
    handBack.abort();
    if ((await withinMs(closing, HAND_BACK_MS, 'late' as const)) !== 'late') return;
    const forced = Promise.all([replies.close(true), plays.close(true)]);
    await withinMs(forced, FORCE_CLOSE_MS, undefined);
  }
}

async function answerReply(
  job: ReplyJob,
  jobId: string,
  isRetry: boolean,
  deps: WorkerDeps,
  handBack: AbortSignal,
  headStart?: HeadStart,
): Promise<HereOutcome> {
  const { submission } = job;
  const port = deps.ports(submission.target.platform);
  if (port === undefined)
    throw new UnrecoverableError(`this worker cannot reply on ${submission.target.platform}`);
  const journal = await journalFor(jobId, job, port, deps, isRetry);
  const outcome = await handleSubmission(
    deps.dispatcher,
    port,
    submission,
    { journal, acknowledged: submission.acknowledged, isRetry },
    {
      isClaimed: true,
      isRetry,
      place: submission.place,
      handBack,
      ...(headStart && { headStart }),
    },
  );
  return outcome.kind === 'handed-back' ? 'handed-back' : 'done';
}

/**
 * The job's journal. Ingress's placeholder counts as its first message. When an earlier attempt
 * died between posting a message and recording it, the message is found in the thread (Parley's
 * own, after the last one it recorded) and adopted, so the retry edits it rather than posting again.
 */
async function journalFor(
  jobId: string,
  job: ReplyJob,
  port: ReplyPort,
  deps: WorkerDeps,
  isRetry: boolean,
): Promise<JobJournal> {
  const { submission } = job;
  const thread = threadKey(submission.incoming.thread);
  const journal = await deps.work.journal(jobId, thread, !isRetry);
  const { acknowledged } = submission;
  if (acknowledged.kind === 'placeholder' && journal.posted.length === 0) {
    // Recorded, so that a retry after a crash knows it too.
    await journal.record(0, acknowledged.messageId);
    return { ...journal, posted: [acknowledged.messageId] };
  }
  if (!journal.isUnsure && !mayHoldPlaceholder(job, journal)) return journal;
  const after = journal.lastRecorded ?? journal.lastInThread ?? submission.incoming.message.id;
  const lost = await port.postedAfter(submission.target, after);
  deps.logger.info('reply recovered after a dead worker', { thread, messages: lost.length });
  if (lost.length === 0) return journal;
  // Found in the part whose post was under way (posts go one after another).
  const { part, index } = journal.resumeAt;
  const into = part === 0 ? journal : journal.part(part);
  for (const [offset, id] of lost.entries()) await into.record(index + offset, id);
  return deps.work.journal(jobId, thread);
}

/**
 * A here-first answer's ledger entry is written before its sign of life, so its retry (`ranHere`)
 * knows of no placeholder: one its dead process posted and never recorded is looked for in the
 * thread. (Anything posted after the placeholder would have been recorded after it.)
 */
function mayHoldPlaceholder(job: ReplyJob, journal: JobJournal): boolean {
  const { acknowledged } = job.submission;
  return job.ranHere === true && acknowledged.kind === 'none' && journal.posted.length === 0;
}

/** Stops taking jobs while the heap is past its bound; answers under way go on. */
function watchMemory(worker: Worker, maxHeapBytes: number, log: Logger): NodeJS.Timeout {
  let isHeld = false;
  const timer = setInterval(() => {
    const isFull = process.memoryUsage().heapUsed > maxHeapBytes;
    if (isFull === isHeld) return;
    isHeld = isFull;
    log.warn(isFull ? 'memory bound reached: taking no new job' : 'memory bound cleared', {});
    if (isFull) void worker.pause(true).catch(() => undefined);
    else worker.resume();
  }, MEMORY_CHECK_MS);
  timer.unref();
  return timer;
}

function defaultMaxHeap(): number {
  return Math.floor(getHeapStatistics().heap_size_limit * 0.75);
}
