import type { Job } from 'bullmq';
import type { Logger } from '../log/logger.js';
import { type ReplyJob, takeoverMs } from './reply-queue.js';

/**
 * Answers here what this process admits, without waiting for the queue's pick-up.
 *
 * A process that runs both ingress and a worker would otherwise send each message through
 * Redis twice before the agent hears of it: the job's `add`, then a worker's wake-up and lock.
 * Under load those two trips cost more than the rest of the bridge. So when this process has
 * room, it starts answering as soon as the message is admitted, and the job is queued as a
 * backup, delayed by the time a stalled job takes to be taken over (a lock and two stalled
 * checks) and pushed back every half lock while the answer runs, as a lock is renewed. If this
 * process dies, the job comes due as a stalled job would and another worker takes it over as a
 * retry (the reply journal keeps it to one answer). The push-back tolerates a loop stalled for
 * that whole time less half a lock, more than a lock does. An answer that ends removes its job;
 * one handed back (shutdown) makes it due at once.
 *
 * With a global agent-call limit (`agentCallsPerSecond`), or while Mistral is holding this
 * process back, every message goes through the queue, whose limiter counts them all.
 */
export interface HereFirst {
  /** Whether a message admitted now is answered here (at most `concurrency` at once). */
  hasRoom(): boolean;
  /** Answers `job` here; `queued` is its backup job being added (delayed by `takeoverMs`). */
  run(job: ReplyJob, jobId: string, queued: Promise<Job<ReplyJob>>): void;
}

export interface HereRuns extends HereFirst {
  /** Holds new messages back for `ms` (Mistral answered 429). */
  holdBack(ms: number): void;
  /** Takes no new message; resolves when every answer under way here has ended. */
  close(): Promise<void>;
}

/** How an answer run here ended: handed back, its job is made due at once for another worker. */
export type HereOutcome = 'done' | 'handed-back';

export interface HereSettings {
  readonly lockMs: number;
  readonly concurrency: number;
  readonly isLimited: boolean;
  /** True while the worker takes no new job (memory bound). */
  readonly isPaused: () => boolean;
}

export function createHereRuns(
  settings: HereSettings,
  answer: (job: ReplyJob, jobId: string) => Promise<HereOutcome>,
  log: Logger,
): HereRuns {
  const running = new Map<Promise<void>, Promise<Job<ReplyJob> | undefined>>();
  let heldUntil = 0;
  let isClosed = false;
  const renewal = setInterval(() => {
    for (const queued of running.values()) void queued.then((job) => job && pushBack(job));
  }, settings.lockMs / 2);
  renewal.unref();

  async function pushBack(job: Job<ReplyJob>): Promise<void> {
    await job.changeDelay(takeoverMs(settings.lockMs)).catch((error: unknown) => {
      // It came due (this loop was stalled that long) and may be under way elsewhere.
      log.warn('backup job not pushed back', { job: job.id, error });
    });
  }

  async function settle(queued: Promise<Job<ReplyJob> | undefined>, outcome: HereOutcome) {
    const job = await queued;
    if (job === undefined) return;
    const settled = outcome === 'done' ? job.remove() : job.promote();
    await settled.catch((error: unknown) => log.warn('backup job not settled', { error, outcome }));
  }

  return {
    hasRoom: () =>
      !isClosed &&
      !settings.isLimited &&
      running.size < settings.concurrency &&
      Date.now() >= heldUntil &&
      !settings.isPaused(),
    run(job, jobId, queued) {
      const backup = queued.catch((error: unknown) => {
        log.warn('backup job not queued: answered here only', { error });
        return undefined;
      });
      const work = answer(job, jobId)
        .catch((error: unknown) => {
          log.warn('answer here failed: its job is retried', { error });
          return 'handed-back' as const;
        })
        .then((outcome) => settle(backup, outcome))
        .finally(() => running.delete(work));
      running.set(work, backup);
    },
    holdBack(ms) {
      heldUntil = Math.max(heldUntil, Date.now() + ms);
    },
    async close() {
      isClosed = true;
      // Answers under way keep their backup pushed back until they end.
      await Promise.allSettled([...running.keys()]);
      clearInterval(renewal);
    },
  };
}
