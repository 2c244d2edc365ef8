/** When to try an agent call again, and how long to wait first. */
export interface RetryPolicy {
  /** Total time all waits together may take. */
  readonly budgetMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY = {
  budgetMs: 30_000,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
} as const satisfies RetryPolicy;

// Mistral answers 429 when a key's rate is exceeded and 5xx when it is overloaded; both pass.
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * The wait before attempt `attempt + 1` (0-based), or undefined when the budget is spent.
 * A server's Retry-After wins over the exponential backoff.
 */
export function nextDelayMs(
  policy: RetryPolicy,
  attempt: number,
  spentMs: number,
  retryAfterSeconds: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = backoff / 2 + random() * (backoff / 2);
  const delay = retryAfterSeconds === undefined ? jittered : retryAfterSeconds * 1000;
  return spentMs + delay <= policy.budgetMs ? Math.round(delay) : undefined;
}

/** Reads a Retry-After header: delay-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}
