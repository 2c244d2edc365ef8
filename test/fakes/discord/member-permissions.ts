/** A member's permissions as Discord computes them for an interaction's `member.permissions`. */
import type { FakeState } from './state.js';

// Discord: the owner and Administrator (1 << 3) hold every permission.
const ADMINISTRATOR = 1n << 3n;
const ALL_PERMISSIONS = (1n << 53n) - 1n;

/**
 * The base permissions every interaction member holds in the fake, plus what the member's roles
 * grant (`@everyone` included); every permission for the owner or an Administrator. Channel
 * overwrites are not modelled.
 */
export function memberPermissions(
  state: FakeState,
  guildId: string,
  userId: string,
  base: string,
): string {
  const guild = state.guilds.get(guildId);
  if (guild === undefined) return base;
  if (guild.ownerId === userId) return ALL_PERMISSIONS.toString();
  const roleIds = new Set([guildId, ...(state.members.get(`${guildId}:${userId}`)?.roleIds ?? [])]);
  let permissions = BigInt(base);
  for (const role of guild.roles) if (roleIds.has(role.id)) permissions |= BigInt(role.permissions);
  return (permissions & ADMINISTRATOR) === 0n ? permissions.toString() : ALL_PERMISSIONS.toString();
}
