import { createHash } from 'node:crypto';
import type { InjectedFailure, RateLimitRule } from './types.js';

/** Routes without a configured limit get one no test reaches, so headers stay truthful and timing-free. */
export const PERMISSIVE_RULE: RateLimitRule = { limit: 10_000, windowMs: 1_000 };

export type Headers = Record<string, string>;

export interface RateLimitOutcome {
  readonly headers: Headers;
  /** Seconds until the bucket resets, when this request is over the limit. */
  readonly retryAfter: number | null;
}

const seconds = (ms: number): string => (ms / 1_000).toFixed(3);

/** Fixed-window buckets keyed by route and major parameter, answering with Discord's headers. */
export class RateLimits {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => number) {}

  /** Counts one request against `route` + `major` and returns the X-RateLimit-* headers. */
  take(route: string, major: string, rule: RateLimitRule): RateLimitOutcome {
    const key = `${route}:${major}`;
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now >= window.start + rule.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    const resetAt = window.start + rule.windowMs;
    const limited = window.count >= rule.limit;
    if (!limited) window.count += 1;
    const headers: Headers = {
      'x-ratelimit-limit': String(rule.limit),
      'x-ratelimit-remaining': String(Math.max(0, rule.limit - window.count)),
      'x-ratelimit-reset': seconds(resetAt),
      'x-ratelimit-reset-after': seconds(resetAt - now),
      'x-ratelimit-bucket': bucketHash(route),
    };
    if (!limited) return { headers, retryAfter: null };
    const retryAfter = (resetAt - now) / 1_000;
    return {
      headers: { ...headers, 'retry-after': String(retryAfter), 'x-ratelimit-scope': 'user' },
      retryAfter,
    };
  }
}

/** An opaque, stable bucket id per route, like Discord's. */
export function bucketHash(route: string): string {
  return createHash('md5').update(route).digest('hex');
}

/** Headers and body of an injected failure: a 429 as Discord sends it, or a bare 5xx. */
export function failureResponse(
  failure: InjectedFailure,
  route: string,
): { headers: Headers; body: unknown } {
  if (failure.status !== 429)
    return { headers: {}, body: { message: 'Internal Server Error', code: 0 } };
  const isGlobal = failure.global ?? false;
  const scope = failure.scope ?? (isGlobal ? 'global' : 'user');
  // Discord rounds Retry-After up to whole seconds; the fake sends the exact value so tests stay fast.
  const headers: Headers = {
    'retry-after': String(failure.retryAfter),
    'x-ratelimit-scope': scope,
  };
  if (isGlobal) headers['x-ratelimit-global'] = 'true';
  else {
    Object.assign(headers, {
      'x-ratelimit-limit': '1',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': String(failure.retryAfter),
      'x-ratelimit-bucket': bucketHash(route),
    });
  }
  const body = {
    message: 'You are being rate limited.',
    retry_after: failure.retryAfter,
    global: isGlobal,
  };
  return { headers, body: isGlobal ? { ...body, code: 0 } : body };
}
