import { describe, expect, it } from 'vitest';
import type { RateLimiter } from '../../src/access/rate-limit.js';
import type { RateLimit } from '../../src/config/access-config.js';

/** A limiter to test, and how to let time pass for it. */
export interface LimiterUnderTest {
  readonly limiter: RateLimiter;
  /** Lets `ms` pass: a clock moved by hand, or a real wait. */
  pass(ms: number): Promise<void>;
}

const TWO_PER_SECOND: RateLimit = { count: 2, windowMs: 1_000, text: '2/s' };
const TWO_PER_HOUR: RateLimit = { count: 2, windowMs: 3_600_000, text: '2/h' };

/** What every RateLimiter does, run against memory and Redis alike. */
export function rateLimiterContract(name: string, open: () => LimiterUnderTest): void {
  describe(`${name} (RateLimiter contract)`, () => {
    it('allows `count` calls per window, then refuses with the wait until the oldest lapses', async () => {
      const { limiter } = open();

      const verdicts = [
        await limiter.take('slack:U1', 'a', TWO_PER_HOUR),
        await limiter.take('slack:U1', 'b', TWO_PER_HOUR),
        await limiter.take('slack:U1', 'c', TWO_PER_HOUR),
      ];

      expect(verdicts.slice(0, 2)).toEqual([{ kind: 'allowed' }, { kind: 'allowed' }]);
      expect(verdicts[2]).toMatchObject({ kind: 'limited', isFirstRefusal: true });
      const wait = verdicts[2]?.kind === 'limited' ? verdicts[2].retryAfterMs : 0;
      expect(wait).toBeGreaterThan(3_590_000);
      expect(wait).toBeLessThanOrEqual(3_600_000);
    });

    it('counts a call taken twice once (a redelivery, a retried line)', async () => {
      const { limiter } = open();

      await limiter.take('slack:U1', 'a', TWO_PER_HOUR);
      await limiter.take('slack:U1', 'a', TWO_PER_HOUR);
      const second = await limiter.take('slack:U1', 'b', TWO_PER_HOUR);
      const again = await limiter.take('slack:U1', 'b', TWO_PER_HOUR);

      expect([second, again]).toEqual([{ kind: 'allowed' }, { kind: 'allowed' }]);
    });

    it('tells only the first refusal of a spell', async () => {
      const { limiter } = open();
      await limiter.take('slack:U1', 'a', TWO_PER_HOUR);
      await limiter.take('slack:U1', 'b', TWO_PER_HOUR);

      const first = await limiter.take('slack:U1', 'c', TWO_PER_HOUR);
      const later = await limiter.take('slack:U1', 'd', TWO_PER_HOUR);

      expect(first).toMatchObject({ kind: 'limited', isFirstRefusal: true, isRepeat: false });
      expect(later).toMatchObject({ kind: 'limited', isFirstRefusal: false, isRepeat: false });
    });

    it('knows a refused call taken again as a repeat (a twin event, a redelivery)', async () => {
      const { limiter } = open();
      await limiter.take('slack:U1', 'a', TWO_PER_HOUR);
      await limiter.take('slack:U1', 'b', TWO_PER_HOUR);

      const refused = await limiter.take('slack:U1', 'c', TWO_PER_HOUR);
      const twin = await limiter.take('slack:U1', 'c', TWO_PER_HOUR);

      expect(refused).toMatchObject({ kind: 'limited', isFirstRefusal: true, isRepeat: false });
      expect(twin).toMatchObject({ kind: 'limited', isFirstRefusal: false, isRepeat: true });
    });

    it('keeps people apart', async () => {
      const { limiter } = open();
      await limiter.take('slack:U1', 'a', TWO_PER_HOUR);
      await limiter.take('slack:U1', 'b', TWO_PER_HOUR);

      const other = await limiter.take('discord:U1', 'c', TWO_PER_HOUR);

      expect(other).toEqual({ kind: 'allowed' });
    });

    it('allows again once the window has slid past the oldest call', async () => {
      const under = open();
      await under.limiter.take('slack:U1', 'a', TWO_PER_SECOND);
      await under.limiter.take('slack:U1', 'b', TWO_PER_SECOND);
      await under.limiter.take('slack:U1', 'c', TWO_PER_SECOND);

      await under.pass(1_100);
      const later = await under.limiter.take('slack:U1', 'd', TWO_PER_SECOND);
      const refusedAgain = await under.limiter.take('slack:U1', 'e', TWO_PER_SECOND);
      const fresh = await under.limiter.take('slack:U1', 'f', TWO_PER_SECOND);

      expect(later).toEqual({ kind: 'allowed' });
      expect(refusedAgain).toEqual({ kind: 'allowed' });
      expect(fresh).toMatchObject({ kind: 'limited', isFirstRefusal: true });
    });
  });
}
