import type { AccessConfig } from '../config/access-config.js';
import type { Platform } from '../core/model.js';

/** Who asks, and where, as a platform adapter sees it before anything is stored. */
export interface Asker {
  readonly platform: Platform;
  /** Slack team or Discord guild; undefined in a Discord DM (no guild). */
  readonly workspace: string | undefined;
  /**
   * The channel and what it sits in, most specific first: Slack's channel; on Discord the
   * channel (a thread's parent) and its category.
   */
  readonly channels: readonly string[];
  readonly userId: string;
  /** Discord role ids of the member; none on Slack. */
  readonly roleIds: readonly string[];
  readonly isDm: boolean;
}

/** Why a person may not talk to agents here. */
export type AccessRefusal = 'workspace' | 'channel' | 'dm' | 'user';

/** Every reason Parley refuses something, as `parley_refused_total{reason}` counts it. */
export type RefusalReason = AccessRefusal | 'rate_limit' | 'roleplay_limit' | 'not_admin';

/**
 * Checks an asker against ALLOWED_WORKSPACES, ALLOWED_CHANNELS, ALLOW_DMS, ALLOWED_USERS and
 * ALLOWED_ROLES, in that order; undefined when allowed. A DM is governed by ALLOW_DMS, not by
 * the channel list; people in ADMIN_USERS count as allowed users.
 */
export function refusalOf(config: AccessConfig, asker: Asker): AccessRefusal | undefined {
  const { workspaces, channels } = config;
  if (workspaces !== undefined && !isServedWorkspace(asker, workspaces)) return 'workspace';
  if (asker.isDm && !config.allowDms) return 'dm';
  if (!asker.isDm && channels !== undefined && !asker.channels.some((id) => channels.has(id)))
    return 'channel';
  return isAllowedPerson(config, asker) ? undefined : 'user';
}

function isServedWorkspace(asker: Asker, workspaces: ReadonlySet<string>): boolean {
  // A Discord DM belongs to no server; ALLOW_DMS decides it.
  if (asker.workspace === undefined) return asker.isDm;
  return workspaces.has(asker.workspace);
}

function isAllowedPerson(config: AccessConfig, asker: Asker): boolean {
  const { users, roles } = config;
  if (users === undefined && roles === undefined) return true;
  if (users?.has(asker.userId) === true || config.admins.has(asker.userId)) return true;
  return roles !== undefined && asker.roleIds.some((id) => roles.has(id));
}

/** What the person is told (once an hour per channel on Slack; slash commands every time). */
export function refusalText(refusal: AccessRefusal): string {
  switch (refusal) {
    case 'workspace':
      return 'Parley is not enabled in this workspace, so I won’t answer here.';
    case 'channel':
      return 'Parley is not enabled in this channel, so I won’t answer here. Ask whoever runs Parley which channels it serves.';
    case 'dm':
      return 'Parley does not take direct messages here: mention me in a channel where I am enabled.';
    case 'user':
      return 'Parley is not enabled for you, so I won’t answer. Ask whoever runs Parley if you need it.';
  }
}
