import { silentLogger as quiet } from '../../src/log/logger.js';
import { createRedisPlayStore } from '../../src/store/redis-play-store.js';
import { createRedisRateLimiter } from '../../src/store/redis-rate-limit.js';
import { createRedisConversationStore } from '../../src/store/redis-store.js';
import { redisUrl, uniqueKeyPrefix } from '../setup/redis.js';
import type { SharedStores } from './rig-parts.js';

/**
 * Conversations, plays and rate limits on the test Redis under one prefix: what a Parley
 * process with REDIS_URL keeps there. Open twice with the same prefix for two processes.
 */
export function redisStores(prefix: string = uniqueKeyPrefix()): Required<SharedStores> {
  const url = redisUrl();
  return {
    store: createRedisConversationStore({
      url,
      limits: { maxMessages: 50, maxChars: 32_000, ttlMs: 60_000 },
      keyPrefix: prefix,
      logger: quiet,
    }),
    plays: createRedisPlayStore({ url, keyPrefix: prefix, logger: quiet }),
    rateLimiter: createRedisRateLimiter({ url, keyPrefix: prefix, logger: quiet }),
  };
}
