/**
 * Who a message notifies, by Discord's `allowed_mentions` rules: without the field every
 * mention in `content` pings (the fake assumes the bot may mention everyone and every role);
 * with it, only the kinds in `parse` and the ids in `users` / `roles` do.
 */
import type { FakePings } from './types.js';
import { asArray, isObject } from './validate.js';

/** `<@123>` and the legacy `<@!123>`; `<@&456>` for roles; `@everyone` and `@here`. */
const USER_PATTERN = /<@!?(\d{15,21})>/g;
const ROLE_PATTERN = /<@&(\d{15,21})>/g;
const EVERYONE_PATTERN = /@(everyone|here)\b/;

export const NO_PINGS: FakePings = { everyone: false, users: [], roles: [] };

function idsIn(content: string, pattern: RegExp): string[] {
  return [...new Set([...content.matchAll(pattern)].map((match) => match[1] ?? ''))];
}

/** The ids of one kind that ping: all when `parse` has the kind, else those listed. */
function allowedIds(ids: string[], allowed: unknown, kind: 'users' | 'roles'): string[] {
  if (!isObject(allowed) || asArray(allowed.parse).includes(kind)) return ids;
  const listed = asArray(allowed[kind]);
  return ids.filter((id) => listed.includes(id));
}

/** What `content` sent with `allowed` (the body's `allowed_mentions`) notifies. */
export function pingsOf(content: string, allowed: unknown): FakePings {
  const everyone =
    EVERYONE_PATTERN.test(content) &&
    (!isObject(allowed) || asArray(allowed.parse).includes('everyone'));
  return {
    everyone,
    users: allowedIds(idsIn(content, USER_PATTERN), allowed, 'users'),
    roles: allowedIds(idsIn(content, ROLE_PATTERN), allowed, 'roles'),
  };
}

/** Both sets of pings together: a message notifies what any of its versions did. */
export function mergePings(a: FakePings, b: FakePings): FakePings {
  return {
    everyone: a.everyone || b.everyone,
    users: [...new Set([...a.users, ...b.users])],
    roles: [...new Set([...a.roles, ...b.roles])],
  };
}
