import type { Core } from '../../src/app.js';
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

/** The `parley_refused_total` lines of a core's metrics: what access refused, by reason. */
export async function refusalsOf(core: Core): Promise<string> {
  const { body } = await core.metrics.render();
  return body
    .split('\n')
    .filter((line) => line.startsWith('parley_refused_total{'))
    .join('\n');
}
