import { setBounded } from '../../src/core/bounded-map.js';
import type { Logger } from '../../src/log/logger.js';
import { callSlack, type WebClient } from './slack-calls.js';

/** What Parley needs to know of a Slack user. */
export interface SlackPerson {
  readonly name: string;
  /** Workspace admins and owners may stop anyone's role-play. */
  readonly isAdmin: boolean;
}

/** Slack users, looked up once (`users.info`) and cached. */
export interface UserDirectory {
  nameOf(userId: string): Promise<string>;
  personOf(userId: string): Promise<SlackPerson>;
}

// Names rarely change; an hour keeps lookups to one per person per hour.
const PERSON_TTL_MS = 60 * 60 * 1000;
// Bounds memory in a large workspace; the oldest entry goes first.
const MAX_CACHED_PEOPLE = 5_000;

export function createUserDirectory(
  client: WebClient,
  logger: Logger,
  now: () => number = Date.now,
): UserDirectory {
  const cache = new Map<string, { person: Promise<SlackPerson>; expiresAt: number }>();
  const lookUp = async (userId: string): Promise<SlackPerson> => {
    try {
      const { user } = await callSlack(() => client.users.info({ user: userId }));
      const profile = user?.profile;
      const name =
        [profile?.display_name, profile?.real_name, user?.real_name, user?.name].find(isNonEmpty) ??
        userId;
      return { name, isAdmin: user?.is_admin === true || user?.is_owner === true };
    } catch (error) {
      logger.warn('user lookup failed', { userId, error });
      cache.delete(userId);
      return { name: userId, isAdmin: false };
    }
  };
  const personOf = (userId: string): Promise<SlackPerson> => {
    const cached = cache.get(userId);
    if (cached !== undefined && cached.expiresAt > now()) return cached.person;
    const person = lookUp(userId);
    setBounded(cache, userId, { person, expiresAt: now() + PERSON_TTL_MS }, MAX_CACHED_PEOPLE);
    return person;
  };
  return {
    personOf,
    nameOf: async (userId) => (await personOf(userId)).name,
  };
}

function isNonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
