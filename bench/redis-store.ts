import { silentLogger } from '../src/log/logger.js';
import {
  createRedisConversationStore,
  type RedisConversationStore,
} from '../src/store/redis-store.js';
import type { HistoryLimits } from '../src/store/store.js';

export const BENCH_LIMITS: HistoryLimits = {
  maxMessages: 50,
  maxChars: 32_000,
  ttlMs: 60 * 60 * 1000,
};

/** A Redis conversation store with the benchmark's limits and its own key prefix. */
export function createRedisStore(url: string): RedisConversationStore {
  return createRedisConversationStore({
    url,
    limits: BENCH_LIMITS,
    keyPrefix: `bench:${process.pid}:`,
    logger: silentLogger,
  });
}
