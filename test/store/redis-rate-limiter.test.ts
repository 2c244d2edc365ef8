import { afterAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../src/access/rate-limit.js';
import { silentLogger } from '../../src/log/logger.js';
import { createRedisRateLimiter } from '../../src/store/redis-rate-limit.js';
import { rateLimiterContract } from '../access/rate-limiter.contract.js';
import { deleteKeys, redisUrl, uniqueKeyPrefix } from '../setup/redis.js';

const opened: { limiter: RateLimiter; prefix: string }[] = [];
afterAll(async () => {
  for (const { limiter, prefix } of opened) {
    await limiter.close();
    await deleteKeys(prefix);
  }
});

rateLimiterContract('Redis rate limiter', () => {
  const prefix = uniqueKeyPrefix();
  const limiter = createRedisRateLimiter({
    url: redisUrl(),
    keyPrefix: prefix,
    logger: silentLogger,
  });
  opened.push({ limiter, prefix });
  return { limiter, pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
});

describe('Redis rate limiter across processes', () => {
  it('shares one person’s count between two connections on one prefix', async () => {
    const prefix = uniqueKeyPrefix();
    const [one, two] = [0, 1].map(() =>
      createRedisRateLimiter({ url: redisUrl(), keyPrefix: prefix, logger: silentLogger }),
    );
    for (const limiter of [one, two]) if (limiter) opened.push({ limiter, prefix });
    const limit = { count: 2, windowMs: 60_000, text: '2/m' };

    const verdicts = [
      await one?.take('slack:U1', 'a', limit),
      await two?.take('slack:U1', 'b', limit),
      await one?.take('slack:U1', 'b', limit),
      await two?.take('slack:U1', 'c', limit),
    ];

    expect(verdicts.map((verdict) => verdict?.kind)).toEqual([
      'allowed',
      'allowed',
      'allowed',
      'limited',
    ]);
  });
});
