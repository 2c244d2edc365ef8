import type { Platform } from '../core/model.js';

/** Who asks to change which agent answers, as the platform adapter knows them. */
export interface Chooser {
  readonly platform: Platform;
  /** A platform admin, or in ADMIN_USERS. */
  readonly isAdmin: boolean;
  /** The setting is for the person's own DM with Parley: theirs to set. */
  readonly isOwnDm: boolean;
}

/**
 * Why this person may not make this choice, or undefined when they may. A channel's agent is
 * for admins; in their own DM anyone may pick from the roster; a raw agent id (not in the
 * roster) is for admins only, and is still checked to exist.
 */
export function agentChoiceRefusal(chooser: Chooser, isRosterAgent: boolean): string | undefined {
  if (chooser.isAdmin) return undefined;
  const admins = adminsText(chooser.platform);
  if (!chooser.isOwnDm)
    return `Only ${admins} can change the agent of a channel. In a DM with me you can pick your own agent from the roster.`;
  if (!isRosterAgent)
    return `Agent ids are for ${admins}. Pick an agent of the roster by its alias instead.`;
  return undefined;
}

/** Who counts as an admin on a platform, in words. */
export function adminsText(platform: Platform): string {
  const own =
    platform === 'slack'
      ? 'workspace admins and owners'
      : platform === 'discord'
        ? 'members with Manage Server or Manage Channels'
        : 'admins';
  return `${own} (and the people Parley’s operator made admins)`;
}
