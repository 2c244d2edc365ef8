import type { RateLimitRule, RateLimits } from './types.js';

/**
 * Limits close to Slack's published ones, for tests that want them.
 * chat.postMessage: "1 message per second per channel, short bursts allowed";
 * chat.update is Tier 3 (50+/min), appendStream Tier 4 (100+/min), stopStream Tier 2 (20+/min).
 */
export const SLACK_RATE_LIMITS = {
  'chat.postMessage': { perSecond: 1, burst: 5, scope: 'channel' },
  'chat.update': { perSecond: 50 / 60, burst: 50, scope: 'workspace' },
  'chat.appendStream': { perSecond: 100 / 60, burst: 100, scope: 'workspace' },
  'chat.stopStream': { perSecond: 20 / 60, burst: 20, scope: 'workspace' },
} as const satisfies RateLimits;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSec: number };

/** Token buckets per method and channel (or per method, for workspace-scoped rules). */
export class RateLimiter {
  readonly #rules: RateLimits;
  readonly #clock: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(rules: RateLimits, clock: () => number) {
    this.#rules = rules;
    this.#clock = clock;
  }

  /** Takes one token for the call, or says how many whole seconds until one is free. */
  take(method: string, channel: string | undefined): RateDecision {
    const rule = this.#rules[method];
    if (rule === undefined) return { allowed: true };
    const bucket = this.#refill(this.#key(method, rule, channel), rule);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const retryAfterSec = Math.max(1, Math.ceil((1 - bucket.tokens) / rule.perSecond));
    return { allowed: false, retryAfterSec };
  }

  reset(): void {
    this.#buckets.clear();
  }

  #key(method: string, rule: RateLimitRule, channel: string | undefined): string {
    return (rule.scope ?? 'channel') === 'channel' ? `${method}:${channel ?? ''}` : method;
  }

  #refill(key: string, rule: RateLimitRule): Bucket {
    const now = this.#clock();
    const bucket = this.#buckets.get(key) ?? { tokens: rule.burst, updatedAt: now };
    const elapsedSec = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(rule.burst, bucket.tokens + elapsedSec * rule.perSecond);
    bucket.updatedAt = now;
    this.#buckets.set(key, bucket);
    return bucket;
  }
}
