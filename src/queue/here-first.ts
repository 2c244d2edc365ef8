import { dropHeadStart, type HeadStart } from '../core/dispatch-history.js';
import type { Submission } from '../core/replies.js';
import type { Logger } from '../log/logger.js';
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
 * queued job. The entry is due one lock after it was last pushed back, and this process pushes
 * all of its entries back every quarter lock in one command, as a lock is renewed. Every
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
   * Starts answering here a message whose admission (to `place`) was just sent, in the same
   * tick: the answer's first store trip travels with it. Undefined without room: queue it.
   */
  begin(submission: Submission, place: string, admission: Promise<boolean>): HereStart | undefined;
}

/** An answer begun here, its admission still in flight. */
export interface HereStart {
  /** Answers it once admitted; resolves when its ledger entry is written (the answer goes on). */
  run(job: ReplyJob, jobId: string): Promise<void>;
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
  start(submission: Submission, place: string, admission: Promise<boolean>): HeadStart | undefined;
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
  const running = new Map<string, Promise<void>>();
  // Begun and not yet run or dropped: they count against the bound too.
  let beginning = 0;
  let heldUntil = 0;
  let isClosed = false;
  const renewal = setInterval(() => {
    if (running.size === 0) return;
    ledger.renew([...running.keys()], Date.now() + settings.lockMs).catch((error: unknown) => {
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

  function run(head: HeadStart, job: ReplyJob, jobId: string): Promise<void> {
    const held = ledger
      .hold(jobId, JSON.stringify({ ...job, ranHere: true }), Date.now() + settings.lockMs)
      .catch((error: unknown) => log.warn('answer here not in the ledger', { error }));
    const work = answers
      .answer(job, jobId, head)
      .catch((error: unknown) => {
        log.warn('answer here failed: its job is retried', { error });
        return 'handed-back' as const;
      })
      .then(async (outcome) => {
        await held;
        await settle(jobId, job, outcome);
      })
      .finally(() => running.delete(jobId));
    running.set(jobId, work);
    return held;
  }

  const hasRoom = () =>
    !isClosed &&
    !settings.isLimited &&
    running.size + beginning < settings.concurrency &&
    Date.now() >= heldUntil &&
    !settings.isPaused();

  return {
    hasRoom,
    begin(submission, place, admission) {
      if (!hasRoom()) return undefined;
      const head = answers.start(submission, place, admission);
      if (head === undefined) return undefined;
      beginning += 1;
      let isSettled = false;
      const once = <T>(then: () => T, otherwise: T): T => {
        if (isSettled) return otherwise;
        isSettled = true;
        beginning -= 1;
        return then();
      };
      return {
        run: (job, jobId) => once(() => run(head, job, jobId), Promise.resolve()),
        drop: () => once(() => dropHeadStart(head), undefined),
      };
    },
    holdBack(ms) {
      heldUntil = Math.max(heldUntil, Date.now() + ms);
    },
    async close() {
      isClosed = true;
      // Answers under way keep their entries pushed back until they end.
      await Promise.allSettled([...running.values()]);
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
