import type { RateLimiter, RateVerdict } from '../access/rate-limit.js';
import type { Logger } from '../log/logger.js';
import { createRedisIo } from './redis-connection.js';
import { redisKey } from './redis-keys.js';
import { lua, runScript } from './redis-scripts.js';
import { requireName } from './store-input.js';

export interface RedisRateLimiterOptions {
  readonly url: string;
  /** Put before every key (the deployment's REDIS_PREFIX), so deployments count apart. */
  readonly keyPrefix: string;
  readonly logger: Logger;
}

/**
 * A sliding window per person, one script for every process: a sorted set of the calls taken
 * (member: the call's id, score: when), so a call taken twice counts once; refused calls go in
 * a quiet set that lives until the oldest call lapses, so only the first refusal of a spell is
 * told and a refused call seen again is known as a repeat. The clock is Redis's own, so
 * processes on skewed clocks agree.
 * KEYS: calls, quiet. ARGV: windowMs, count, callId.
 * Returns {allowed, retryAfterMs, isFirst, isRepeat}.
 */
const TAKE_SCRIPT = lua(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return {1, 0, 0, 0} end
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0, 0, 0}
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
local wait = math.max(1, oldest + window - now)
local isFirst = redis.call('EXISTS', KEYS[2]) == 0 and 1 or 0
local isRepeat = redis.call('SADD', KEYS[2], ARGV[3]) == 0 and 1 or 0
redis.call('PEXPIRE', KEYS[2], wait)
return {0, wait, isFirst, isRepeat}
`);

/** USER_RATE_LIMIT shared by every process through Redis. */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const io = createRedisIo(options.url, options.logger.child({ store: 'rate-limit' }));
  const key = (kind: 'rate' | 'rate-quiet', person: string) =>
    redisKey(options.keyPrefix, { kind, person });
  return {
    async take(person, callId, limit): Promise<RateVerdict> {
      requireName(person, 'person');
      const keys = [key('rate', person), key('rate-quiet', person)];
      const args = [limit.windowMs, limit.count, requireName(callId, 'call id')];
      const reply = await runScript(io, TAKE_SCRIPT, keys, args);
      const [allowed, retryAfterMs, isFirst, isRepeat] = reply as [number, number, number, number];
      if (allowed === 1) return { kind: 'allowed' };
      return {
        kind: 'limited',
        retryAfterMs,
        isFirstRefusal: isFirst === 1,
        isRepeat: isRepeat === 1,
      };
    },
    close: () => io.close(),
  };
}
