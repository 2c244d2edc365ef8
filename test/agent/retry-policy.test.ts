import { describe, expect, it } from 'vitest';
import { nextDelayMs, parseRetryAfter } from '../../src/agent/retry-policy.js';

const POLICY = { budgetMs: 10_000, baseDelayMs: 500, maxDelayMs: 4_000 };

describe('nextDelayMs', () => {
  it('honours Retry-After over the backoff', () => {
    expect(nextDelayMs(POLICY, 0, 0, 2, () => 0)).toBe(2_000);
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(nextDelayMs(POLICY, 0, 0, undefined, () => 1)).toBe(500);
    expect(nextDelayMs(POLICY, 2, 0, undefined, () => 1)).toBe(2_000);
    expect(nextDelayMs(POLICY, 9, 0, undefined, () => 0)).toBe(2_000);
  });

  it('gives up when the wait would pass the budget', () => {
    expect(nextDelayMs(POLICY, 0, 9_000, 2, () => 0)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
