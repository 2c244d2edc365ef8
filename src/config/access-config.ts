import type { Reader } from './env-reader.js';

/** A count of agent calls per window (`USER_RATE_LIMIT`). */
export interface RateLimit {
  readonly count: number;
  readonly windowMs: number;
  /** As written, e.g. `30/h`, for notices and logs. */
  readonly text: string;
}

/** Who may use Parley, where, and how much (the access variables, read once). */
export interface AccessConfig {
  /** Slack team ids and Discord guild ids served; undefined serves all. */
  readonly workspaces: ReadonlySet<string> | undefined;
  /** Channel (Discord: channel or category) ids where Parley answers; undefined answers everywhere. */
  readonly channels: ReadonlySet<string> | undefined;
  /** User ids who may talk to agents; with `roles`, undefined both lets everyone. */
  readonly users: ReadonlySet<string> | undefined;
  /** Discord role ids whose members may talk to agents. */
  readonly roles: ReadonlySet<string> | undefined;
  readonly allowDms: boolean;
  /** May change settings, besides the platforms' own admins. */
  readonly admins: ReadonlySet<string>;
  /** Agent calls one person may cause per window; none when undefined. */
  readonly userRateLimit: RateLimit | undefined;
  /** Role-plays one person may have running at once. */
  readonly roleplayMaxPerUser: number;
}

export const ACCESS_DEFAULTS = {
  roleplayMaxPerUser: 2,
} as const satisfies Record<string, number>;

// Slack ids are upper-case letters and digits (T…, C…, U…); Discord's are 17–20 digit snowflakes.
const ID_PATTERN = /^[A-Z0-9]{2,30}$/;
const LIST_SEPARATOR = /\s*,\s*/;
const RATE_PATTERN = /^(\d{1,7})\s*\/\s*([smhd])$/;
const WINDOW_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 60 * 60_000,
  d: 24 * 60 * 60_000,
};

/** Reads ALLOWED_*, ALLOW_DMS, ADMIN_USERS, USER_RATE_LIMIT and ROLEPLAY_MAX_PER_USER. */
export function readAccess(read: Reader): AccessConfig {
  return {
    workspaces: readIds(read, 'ALLOWED_WORKSPACES', 'Slack team ids (T…) or Discord server ids'),
    channels: readIds(
      read,
      'ALLOWED_CHANNELS',
      'channel ids (C…, or Discord channel/category ids)',
    ),
    users: readIds(read, 'ALLOWED_USERS', 'user ids (U…, or Discord user ids)'),
    roles: readIds(read, 'ALLOWED_ROLES', 'Discord role ids'),
    allowDms: read.oneOf('ALLOW_DMS', ['true', 'false'], 'true') === 'true',
    admins: readIds(read, 'ADMIN_USERS', 'user ids (U…, or Discord user ids)') ?? new Set(),
    userRateLimit: readRate(read, 'USER_RATE_LIMIT'),
    roleplayMaxPerUser: read.int(
      'ROLEPLAY_MAX_PER_USER',
      ACCESS_DEFAULTS.roleplayMaxPerUser,
      1,
      1_000,
    ),
  };
}

/** A comma-separated id list; a malformed entry is a problem naming the variable and its place. */
function readIds(read: Reader, name: string, what: string): ReadonlySet<string> | undefined {
  const text = read.optional(name);
  if (text === undefined) return undefined;
  const ids = text.split(LIST_SEPARATOR);
  const bad = ids.findIndex((id) => !ID_PATTERN.test(id));
  if (bad === -1) return new Set(ids);
  read.problem(
    `${name} must be a comma-separated list of ${what}: entry ${bad + 1} of ${ids.length} is not an id (ids, not names: right-click → Copy ID on Discord, channel details on Slack)`,
  );
  return new Set();
}

function readRate(read: Reader, name: string): RateLimit | undefined {
  const text = read.optional(name);
  if (text === undefined) return undefined;
  const match = RATE_PATTERN.exec(text);
  const count = Number(match?.[1]);
  const windowMs = WINDOW_MS[match?.[2] ?? ''];
  if (windowMs !== undefined && count >= 1)
    return { count, windowMs, text: `${count}/${match?.[2]}` };
  read.problem(
    `${name} must be a count per window: N/s, N/m, N/h or N/d with N at least 1 (e.g. 30/h)`,
  );
  return undefined;
}
