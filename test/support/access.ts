import type { AccessConfig } from '../../src/config/access-config.js';

/** Access with nothing set: everyone, everywhere, DMs on, no limits but two plays a person. */
export const OPEN_ACCESS: AccessConfig = {
  workspaces: undefined,
  channels: undefined,
  users: undefined,
  roles: undefined,
  allowDms: true,
  admins: new Set(),
  userRateLimit: undefined,
  roleplayMaxPerUser: 2,
};
