import type { Logger } from '../../src/log/logger.js';
import { callSlack, type WebClient } from './slack-calls.js';

/** Display names of Slack users, looked up once and cached. */
export interface UserDirectory {
  nameOf(userId: string): Promise<string>;
}

// Names rarely change; an hour keeps lookups to one per person per hour.
const NAME_TTL_MS = 60 * 60 * 1000;
// Bounds memory in a large workspace; the oldest entry goes first.
const MAX_CACHED_NAMES = 5_000;

export function createUserDirectory(
  client: WebClient,
  logger: Logger,
  now: () => number = Date.now,
): UserDirectory {
  const cache = new Map<string, { name: Promise<string>; expiresAt: number }>();
  const lookUp = async (userId: string): Promise<string> => {
    try {
      const { user } = await callSlack(() => client.users.info({ user: userId }));
      const profile = user?.profile;
      return (
        [profile?.display_name, profile?.real_name, user?.real_name, user?.name].find(isNonEmpty) ??
        userId
      );
    } catch (error) {
      logger.warn('user name lookup failed', { userId, error });
      cache.delete(userId);
      return userId;
    }
  };
  return {
    nameOf(userId) {
      const cached = cache.get(userId);
      if (cached !== undefined && cached.expiresAt > now()) return cached.name;
      if (cache.size >= MAX_CACHED_NAMES) cache.delete(cache.keys().next().value ?? '');
      const name = lookUp(userId);
      cache.set(userId, { name, expiresAt: now() + NAME_TTL_MS });
      return name;
    },
  };
}

function isNonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
