import { describe, expect, it } from 'vitest';
import {
  createMemoryRateLimiter,
  durationText,
  rateLimitText,
} from '../../src/access/rate-limit.js';
import { rateLimiterContract } from './rate-limiter.contract.js';

rateLimiterContract('memory rate limiter', () => {
  let now = 1_000_000;
  return {
    limiter: createMemoryRateLimiter(() => now),
    pass: async (ms) => {
      now += ms;
    },
  };
});

describe('rate-limit notices', () => {
  it.each([
    [500, '1 second'],
    [40_000, '40 seconds'],
    [119_000, '119 seconds'],
    [3_599_000, '60 minutes'],
    [3 * 3_600_000, '3 hours'],
    [3 * 86_400_000, '3 days'],
  ])('says %i ms as “%s”, never earlier than it is', (ms, text) => {
    expect(durationText(ms)).toBe(text);
  });

  it('says the limit and when to ask again', () => {
    const text = rateLimitText({ count: 30, windowMs: 3_600_000, text: '30/h' }, 300_000);

    expect(text).toBe(
      'You’ve reached your limit of 30 agent requests per hour, so I didn’t pass this on. You can ask again in 5 minutes.',
    );
  });
});
