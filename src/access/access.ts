import type { AccessConfig } from '../config/access-config.js';
import type { Platform } from '../core/model.js';
import { ParleyError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ConversationStore } from '../store/store.js';
import { personKey } from './person.js';
import {
  type AccessRefusal,
  type Asker,
  type RefusalReason,
  refusalOf,
  refusalText,
} from './policy.js';
import { type RateLimiter, rateLimitText } from './rate-limit.js';

/** Whether one agent call may go ahead, and what to tell the person when it may not. */
export type LimitOutcome =
  | { readonly kind: 'allowed' }
  | {
      readonly kind: 'limited';
      /** Undefined when this spell's notice was given already: stay quiet. */
      readonly notice: string | undefined;
      /** How long until the person may cause a call again. */
      readonly retryAfterMs: number;
    };

/** Access control as the adapters and the role-play engine use it. */
export interface Access {
  readonly config: AccessConfig;
  /** Why this person may not talk to agents here; undefined when allowed. */
  refusal(asker: Asker): AccessRefusal | undefined;
  /**
   * Counts and logs a refused message that was for Parley; a delivery counted already in this
   * process (Slack's `app_mention` and `message` twins, a redelivery) is not counted again.
   */
  refuse(asker: Asker, refusal: AccessRefusal, deliveryKey?: string): void;
  /** True the first time in an hour this person is told a refusal in this channel (any process). */
  shouldNote(asker: Asker): Promise<boolean>;
  /** Counts one agent call (named, so a redelivery counts once) against a person under USER_RATE_LIMIT. */
  take(platform: Platform, userId: string, callId: string): Promise<LimitOutcome>;
  /**
   * `take` for a person's message: false over the limit, after telling them (once a spell)
   * through `tell`; a notice that cannot be posted is only logged.
   */
  allowsCall(
    platform: Platform,
    userId: string,
    callId: string,
    tell: (notice: string) => Promise<void>,
  ): Promise<boolean>;
  /** What a slash command typed here is answered with when Parley is not enabled (counted). */
  commandRefusal(asker: Asker): string | undefined;
  /** ADMIN_USERS, or the platform's own admins (`isPlatformAdmin`). */
  isAdmin(userId: string, isPlatformAdmin: boolean): boolean;
  /** Counts a refusal decided elsewhere (an admin-only setting, a role-play over the count). */
  refused(reason: RefusalReason): void;
  close(): Promise<void>;
}

export interface AccessDeps {
  readonly config: AccessConfig;
  readonly limiter: RateLimiter;
  /** Where "told already" is remembered (a claim per person and channel). */
  readonly store: Pick<ConversationStore, 'claim'>;
  readonly onRefused: (reason: RefusalReason) => void;
  readonly logger: Logger;
}

// A refused person is told again at most once an hour per channel, so a busy channel is not spammed.
export const ACCESS_NOTE_EVERY_MS = 60 * 60 * 1000;
// Twins and redeliveries of a refused message arrive within seconds: this many are remembered.
const RECENT_DELIVERIES = 1_000;

export function createAccess(deps: AccessDeps): Access {
  const { config } = deps;
  const log = deps.logger.child({ component: 'access' });
  const counted = recentSet(RECENT_DELIVERIES);
  const access: Access = {
    config,
    refusal: (asker) => refusalOf(config, asker),
    refuse(asker, refusal, deliveryKey) {
      if (deliveryKey !== undefined && !counted.add(deliveryKey)) return;
      deps.onRefused(refusal);
      log.info('message refused', {
        platform: asker.platform,
        reason: refusal,
        user: asker.userId,
      });
    },
    shouldNote: (asker) =>
      deps.store.claim(
        `access-note:${personKey(asker.platform, asker.userId)}:${asker.channels[0] ?? 'dm'}`,
        ACCESS_NOTE_EVERY_MS,
      ),
    async take(platform, userId, callId) {
      const limit = config.userRateLimit;
      if (limit === undefined) return { kind: 'allowed' };
      const verdict = await deps.limiter
        .take(personKey(platform, userId), callId, limit)
        .catch((error: unknown) => {
          throw new ParleyError('STORE_UNAVAILABLE', 'rate limit not checked', { cause: error });
        });
      if (verdict.kind === 'allowed') return verdict;
      if (!verdict.isRepeat) {
        deps.onRefused('rate_limit');
        log.info('agent call refused', { platform, reason: 'rate_limit', user: userId });
      }
      const notice =
        verdict.isFirstRefusal && !verdict.isRepeat
          ? rateLimitText(limit, verdict.retryAfterMs)
          : undefined;
      return { kind: 'limited', notice, retryAfterMs: verdict.retryAfterMs };
    },
    async allowsCall(platform, userId, callId, tell) {
      const outcome = await access.take(platform, userId, callId);
      if (outcome.kind === 'allowed') return true;
      if (outcome.notice !== undefined)
        await tell(outcome.notice).catch((error: unknown) =>
          log.warn('rate-limit notice not posted', { error }),
        );
      return false;
    },
    commandRefusal(asker) {
      const refusal = refusalOf(config, asker);
      if (refusal === undefined) return undefined;
      access.refuse(asker, refusal);
      return refusalText(refusal);
    },
    isAdmin: (userId, isPlatformAdmin) => isPlatformAdmin || config.admins.has(userId),
    refused: (reason) => deps.onRefused(reason),
    close: () => deps.limiter.close(),
  };
  return access;
}

/** A bounded set of recent keys; `add` is false for a key already in it. */
function recentSet(max: number): { add(key: string): boolean } {
  const keys = new Set<string>();
  return {
    add(key) {
      if (keys.has(key)) return false;
      if (keys.size >= max) keys.delete(keys.values().next().value ?? '');
      keys.add(key);
      return true;
    },
  };
}
