/**
 * Teardown that must run however the benchmark ends: on SIGINT or SIGTERM every registered
 * cleanup gets a few seconds, then the process exits. (Errors run the callers' `finally`.)
 */
import { setTimeout as delay } from 'node:timers/promises';

type Cleanup = () => Promise<void>;

// Stopping bots, redis-servers and fakes takes well under this; a wedged one is abandoned.
const CLEANUP_DEADLINE_MS = 8_000;
const INTERRUPTED_EXIT_CODE = 130;

const cleanups = new Set<Cleanup>();
let isInstalled = false;

async function runAll(): Promise<void> {
  const all = Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
  await Promise.race([all, delay(CLEANUP_DEADLINE_MS)]);
}

/** Runs `cleanup` if the benchmark is interrupted; call the returned function once it ran anyway. */
export function onInterrupt(cleanup: Cleanup): () => void {
  if (!isInstalled) {
    isInstalled = true;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        runAll().finally(() => process.exit(INTERRUPTED_EXIT_CODE));
      });
    }
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
