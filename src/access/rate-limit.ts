import type { RateLimit } from '../config/access-config.js';

/** One call counted against a person, or refused with how long until the oldest one lapses. */
export type RateVerdict =
  | { readonly kind: 'allowed' }
  | {
      readonly kind: 'limited';
      readonly retryAfterMs: number;
      /** The first refusal of this spell: the one that gets a notice (the rest stay quiet). */
      readonly isFirstRefusal: boolean;
      /** This very call was refused before (a redelivery, a twin event): not a new refusal. */
      readonly isRepeat: boolean;
    };

/**
 * Counts agent calls per person in a sliding window (`USER_RATE_LIMIT`). A call is named, so
 * the same one taken twice (a platform's redelivery, a retried role-play line) counts once.
 */
export interface RateLimiter {
  take(person: string, callId: string, limit: RateLimit): Promise<RateVerdict>;
  close(): Promise<void>;
}

interface PersonWindow {
  /** Counted calls by id, with when they were taken. */
  readonly calls: Map<string, number>;
  /** Refusals before this time get no notice (one was given). */
  quietUntil: number;
  /** Calls refused while quiet, so a call refused twice is known as a repeat. */
  readonly refused: Set<string>;
}

// Past this many people in memory, those with nothing left in their window are dropped.
const SWEEP_PEOPLE = 10_000;

/** The limiter of a single process (no REDIS_URL): the same rules, kept in memory. */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const people = new Map<string, PersonWindow>();
  const windowOf = (person: string): PersonWindow => {
    const known = people.get(person);
    if (known !== undefined) return known;
    if (people.size >= SWEEP_PEOPLE) sweep(people, now());
    const fresh = { calls: new Map<string, number>(), quietUntil: 0, refused: new Set<string>() };
    people.set(person, fresh);
    return fresh;
  };
  return {
    async take(person, callId, limit) {
      const at = now();
      const window = windowOf(person);
      dropBefore(window.calls, at - limit.windowMs);
      if (window.calls.has(callId)) return { kind: 'allowed' };
      if (window.calls.size < limit.count) {
        window.calls.set(callId, at);
        return { kind: 'allowed' };
      }
      const oldest = window.calls.values().next().value ?? at;
      const retryAfterMs = Math.max(1, oldest + limit.windowMs - at);
      const isFirstRefusal = window.quietUntil <= at;
      if (isFirstRefusal) window.refused.clear();
      const isRepeat = window.refused.has(callId);
      window.refused.add(callId);
      window.quietUntil = at + retryAfterMs;
      return { kind: 'limited', retryAfterMs, isFirstRefusal, isRepeat };
    },
    close: async () => {},
  };
}

/** Calls are kept in the order taken, so the lapsed ones are at the front. */
function dropBefore(calls: Map<string, number>, cutoff: number): void {
  for (const [id, at] of calls) {
    if (at > cutoff) return;
    calls.delete(id);
  }
}

function sweep(people: Map<string, PersonWindow>, at: number): void {
  for (const [person, window] of people) {
    const newest = [...window.calls.values()].at(-1) ?? 0;
    // A day is the longest window USER_RATE_LIMIT takes.
    if (newest < at - 24 * 60 * 60_000 && window.quietUntil <= at) people.delete(person);
  }
}

/** The notice for a refused call: the limit and when the person can ask again. */
export function rateLimitText(limit: RateLimit, retryAfterMs: number): string {
  return `You’ve reached your limit of ${limit.count} agent ${limit.count === 1 ? 'request' : 'requests'} per ${WINDOW_NAMES[limit.text.slice(-1)] ?? 'window'}, so I didn’t pass this on. You can ask again in ${durationText(retryAfterMs)}.`;
}

const WINDOW_NAMES: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
};

/** "40 seconds", "59 minutes", "3 hours": rounded up, so "ask again" is never early. */
export function durationText(ms: number): string {
  const units: readonly [number, string][] = [
    [24 * 60 * 60_000, 'day'],
    [60 * 60_000, 'hour'],
    [60_000, 'minute'],
  ];
  // Two of a unit at least, so "1 hour" never stands for 1 h 59 min.
  for (const [size, name] of units) if (ms >= 2 * size) return plural(Math.ceil(ms / size), name);
  return plural(Math.max(1, Math.ceil(ms / 1_000)), 'second');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
