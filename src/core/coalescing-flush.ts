/**
 * Runs a flush at most once per interval, one at a time, coalescing every request made
 * meanwhile into the next run: the shape of streaming into a rate-limited platform.
 */
export interface CoalescingFlush {
  /** Asks for a flush soon (now, or when the interval since the last one has passed). */
  request(): void;
  /** Cancels the timer, waits for a flush under way, then flushes once more; rejects on failure. */
  settle(): Promise<void>;
  /** Cancels the timer and waits for a flush under way, without flushing again. */
  stop(): Promise<void>;
  /** The first error a flush threw, if any; no flush runs after one. */
  readonly failure: unknown;
}

export function createCoalescingFlush(
  flush: () => Promise<void>,
  intervalMs: number,
  now: () => number = Date.now,
): CoalescingFlush {
  let lastRunAt = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let isDirty = false;
  let failure: unknown;

  function run(): Promise<void> {
    if (running) return running;
    lastRunAt = now();
    isDirty = false;
    running = flush()
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        running = undefined;
        if (isDirty) schedule();
      });
    return running;
  }

  function schedule(): void {
    if (timer !== undefined || failure !== undefined) return;
    const wait = Math.max(0, lastRunAt + intervalMs - now());
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, wait);
  }

  async function stop(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    await running;
  }

  return {
    request() {
      isDirty = true;
      if (running === undefined) schedule();
    },
    async settle() {
      await stop();
      if (failure === undefined) await run();
      clearTimeout(timer);
      timer = undefined;
      if (failure !== undefined) throw failure;
    },
    stop,
    get failure() {
      return failure;
    },
  };
}
