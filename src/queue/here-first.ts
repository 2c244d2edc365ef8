import { dropHeadStart, type HeadStart } from '../core/dispatch-history.js';
import type { Submission } from '../core/replies.js';
import type { Logger } from '../log/logger.js';
import type { AdmitReceipt } from '../store/store.js';
import type { ReplyJob } from './reply-queue.js';
import type { HereLedger } from './work-state.js';

/**
 * Answers here what this process admits, without the queue in between.
 *
 * A process that runs both ingress and a worker would otherwise send each message through
 * Redis three times before the agent hears of it: the admission, the job's `add`, a worker's
 * wake-up and lock. Under load those trips, and BullMQ's bookkeeping of a job (about forty
 * Redis commands and a millisecond of this process's CPU per answer), cost more than the rest
 * of the bridge. So when this process has room, it answers with the admission: the answer's
 * first store trip (the message's append, the agent read, the turn) is sent right behind the
 * admission, in the same write, and the store refuses a duplicate's.
 *
 * What keeps the answer safe is a ledger entry per answer (job and due time) instead of a
 * queued job, written by the admission script itself (its receipt): from the moment a message is
 * admitted it can be taken over, so the platform is acknowledged right then, without waiting for
 * the sign of life or another trip. The entry is due one lock after it was last pushed back,
 * and this process pushes all of its entries back every quarter lock in one command. Every
 * worker looks for due entries every second: one whose process died is queued as a retry (the
 * reply journal keeps it to one answer), within about a lock of the death. An answer that ends
 * forgets its entry; one handed back (shutdown) is queued for another worker at once.
 *
 * With a global agent-call limit (`agentCallsPerSecond`), or while Mistral is holding this
 * process back, every message goes through the queue, whose limiter counts them all.
 */
export interface HereFirst {
  /** Whether a message admitted now is answered here (at most `concurrency` at once). */
  hasRoom(): boolean;
  /**
   * Reserves room here for a message about to be admitted to `place`, its job to be `jobId`.
   * Undefined without room, or without this platform's reply port here: queue it.
   */
  reserve(submission: Submission, place: string, jobId: string): HereReservation | undefined;
}

/** Room reserved here for a message not yet admitted. */
export interface HereReservation {
  /**
   * The ledger entry the admission writes (AdmitOptions.receipt): from the moment the message
   * is admitted, another worker takes it over should this process die.
   */
  readonly receipt: AdmitReceipt;
  /**
   * Starts answering it as its admission (sent just before, in the same tick) travels: the
   * answer's first store trip goes out in the same write.
   */
  begin(admission: Promise<boolean>): HereStart;
}

/** An answer begun here, its admission still in flight. */
export interface HereStart {
  /** Answers it once admitted (the job as acknowledged); settles its ledger entry at the end. */
  run(job: ReplyJob): void;
  /** Gives it up: a duplicate, or the admission failed. */
  drop(): void;
}

export interface HereRuns extends HereFirst {
  /** Holds new messages back for `ms` (Mistral answered 429). */
  holdBack(ms: number): void;
  /** Takes no new message; resolves when every answer under way here has ended. */
  close(): Promise<void>;
}

/** How an answer run here ended: handed back, its job is queued at once for another worker. */
export type HereOutcome = 'done' | 'handed-back';

export interface HereSettings {
  readonly lockMs: number;
  readonly concurrency: number;
  readonly isLimited: boolean;
  /** True while the worker takes no new job (memory bound). */
  readonly isPaused: () => boolean;
}

/** How this process answers a message: its first trip sent early, then the answer itself. */
export interface HereAnswers {
  /** Whether this process can answer on the submission's platform. */
  canAnswer(submission: Submission): boolean;
  start(submission: Submission, place: string, admission: Promise<boolean>): HeadStart;
  answer(job: ReplyJob, jobId: string, head: HeadStart): Promise<HereOutcome>;
  /** Queues a job for any worker now (handed back, or its process died), as a retry. */
  requeue(jobId: string, job: ReplyJob): Promise<void>;
}

// Every worker looks for entries whose process died this often (at most; half a lock if shorter).
const LEDGER_CHECK_MS = 1_000;
// Due entries one check takes over at most; the rest wait for the next check.
const LEDGER_CLAIM_MAX = 100;

export function createHereRuns(
  settings: HereSettings,
  answers: HereAnswers,
  ledger: HereLedger,
  log: Logger,
): HereRuns {
  // Answers begun here (from their admission until they end), by place: twin deliveries of one
  // message share a job id, and a duplicate's must not stand for the answer under way.
  const running = new Map<string, { readonly jobId: string; readonly work: Promise<void> }>();
  // Reserved and not yet begun: they count against the bound too.
  let reserved = 0;
  let heldUntil = 0;
  let isClosed = false;
  const renewal = setInterval(() => {
    if (running.size === 0) return;
    const jobIds = [...new Set([...running.values()].map((answer) => answer.jobId))];
    ledger.renew(jobIds, Date.now() + settings.lockMs).catch((error: unknown) => {
      // Should the entries come due meanwhile, another worker retries them (journal: one answer).
      log.warn('answers here not pushed back', { error, count: running.size });
    });
  }, settings.lockMs / 4);
  renewal.unref();

  async function settle(jobId: string, job: ReplyJob, outcome: HereOutcome): Promise<void> {
    try {
      if (outcome === 'handed-back') await answers.requeue(jobId, { ...job, ranHere: true });
      await ledger.letGo(jobId);
    } catch (error) {
      // Left in the ledger, the entry comes due and another worker queues it.
      log.warn('answer here not settled', { error, outcome });
    }
  }

  async function answer(head: HeadStart, job: ReplyJob, jobId: string): Promise<void> {
    const outcome = await answers.answer(job, jobId, head).catch((error: unknown) => {
      log.warn('answer here failed: its job is retried', { error });
      return 'handed-back' as const;
    });
    await settle(jobId, job, outcome);
  }

  const hasRoom = () =>
    !isClosed &&
    !settings.isLimited &&
    running.size + reserved < settings.concurrency &&
    Date.now() >= heldUntil &&
    !settings.isPaused();

  function reserve(submission: Submission, place: string, jobId: string) {
    if (!hasRoom() || !answers.canAnswer(submission)) return undefined;
    reserved += 1;
    // What another worker queues should this process die: acknowledged is not known yet (a
    // placeholder posted meanwhile is in the reply journal by then, see work-runner).
    const job: ReplyJob = {
      kind: 'reply',
      submission: { ...submission, place, acknowledged: { kind: 'none' } },
      ranHere: true,
    };
    const receipt = { jobId, job: JSON.stringify(job), dueAt: Date.now() + settings.lockMs };
    return {
      receipt,
      begin(admission: Promise<boolean>): HereStart {
        reserved -= 1;
        const head = answers.start(submission, place, admission);
        // Counted (and its entry pushed back) from now: the answer starts once acknowledged.
        // The first of run and drop decides (a promise settles once).
        let settle: (job: ReplyJob | undefined) => void = () => undefined;
        const work = new Promise<ReplyJob | undefined>((resolve) => {
          settle = resolve;
        })
          .then((job) => (job === undefined ? dropHeadStart(head) : answer(head, job, jobId)))
          .finally(() => running.delete(place));
        running.set(place, { jobId, work });
        return { run: (job) => settle(job), drop: () => settle(undefined) };
      },
    };
  }

  return {
    hasRoom,
    reserve,
    holdBack(ms) {
      heldUntil = Math.max(heldUntil, Date.now() + ms);
    },
    async close() {
      isClosed = true;
      // Answers under way keep their entries pushed back until they end.
      await Promise.allSettled([...running.values()].map((answer) => answer.work));
      clearInterval(renewal);
    },
  };
}

/**
 * A worker's watch over the ledger: entries come due when the process answering them died;
 * each is queued as a retry (at most one worker claims it), then forgotten.
 */
export function watchLedger(
  ledger: HereLedger,
  requeue: (jobId: string, job: ReplyJob) => Promise<void>,
  lockMs: number,
  log: Logger,
): NodeJS.Timeout {
  let isChecking = false;
  const check = async () => {
    const now = Date.now();
    for (const { jobId, job } of await ledger.claimDue(now, now + lockMs, LEDGER_CLAIM_MAX)) {
      const parsed = replyJobOf(job);
      if (parsed !== undefined) await requeue(jobId, parsed);
      else log.warn('unreadable ledger entry dropped', { job: jobId });
      await ledger.letGo(jobId);
      log.warn('answer of a dead process taken over', { job: jobId });
    }
  };
  const timer = setInterval(
    () => {
      if (isChecking) return;
      isChecking = true;
      check()
        .catch((error: unknown) => log.warn('ledger check failed', { error }))
        .finally(() => {
          isChecking = false;
        });
    },
    Math.min(LEDGER_CHECK_MS, lockMs / 2),
  );
  timer.unref();
  return timer;
}

/** A ledger entry's job as written by `run` (it is Parley's own, but Redis is outside). */
function replyJobOf(text: string): ReplyJob | undefined {
  try {
    const value = JSON.parse(text) as Partial<ReplyJob> | null;
    const submission = value?.submission;
    if (value?.kind !== 'reply' || typeof submission !== 'object' || submission === null)
      return undefined;
    if (typeof submission.place !== 'string' || typeof submission.incoming !== 'object')
      return undefined;
    return value as ReplyJob;
  } catch {
    return undefined;
  }
}
