import { describe, expect, it } from 'vitest';
import { type Asker, refusalOf } from '../../src/access/policy.js';
import type { AccessConfig } from '../../src/config/access-config.js';
import { OPEN_ACCESS } from '../support/access.js';

const OPEN = OPEN_ACCESS;

const IN_CHANNEL: Asker = {
  platform: 'discord',
  workspace: '1100000000000000100',
  channels: ['1100000000000000200', '1100000000000000250'],
  userId: '1100000000000000300',
  roleIds: ['1100000000000000900'],
  isDm: false,
};
const DISCORD_DM: Asker = { ...IN_CHANNEL, workspace: undefined, channels: ['77'], isDm: true };

const only = (...ids: string[]) => new Set(ids);

describe('refusalOf', () => {
  it('lets everyone in everywhere when nothing is set', () => {
    expect(refusalOf(OPEN, IN_CHANNEL)).toBeUndefined();
    expect(refusalOf(OPEN, DISCORD_DM)).toBeUndefined();
  });

  it.each<[string, Partial<AccessConfig>, Partial<Asker>, string | undefined]>([
    ['an unlisted workspace', { workspaces: only('T0OTHER') }, {}, 'workspace'],
    ['a listed workspace', { workspaces: only('1100000000000000100') }, {}, undefined],
    ['an unlisted channel', { channels: only('C0OTHER') }, {}, 'channel'],
    ['a channel by its category', { channels: only('1100000000000000250') }, {}, undefined],
    ['a DM with ALLOW_DMS=false', { allowDms: false }, { isDm: true }, 'dm'],
    ['an unlisted person', { users: only('U0BOB') }, {}, 'user'],
    ['a listed person', { users: only('1100000000000000300') }, {}, undefined],
    ['a member of a listed role', { roles: only('1100000000000000900') }, {}, undefined],
    ['nobody listed by role', { roles: only('1100000000000000901') }, {}, 'user'],
    [
      'an ADMIN_USERS person',
      { users: only('U0BOB'), admins: only('1100000000000000300') },
      {},
      undefined,
    ],
  ])('judges %s', (_, config, asker, expected) => {
    expect(refusalOf({ ...OPEN, ...config }, { ...IN_CHANNEL, ...asker })).toBe(expected);
  });

  it('judges a DM by ALLOW_DMS, not by the channel list; a Discord DM has no server to list', () => {
    const config = { ...OPEN, channels: only('C0GENERAL'), workspaces: only('T0HOME') };

    expect(refusalOf(config, DISCORD_DM)).toBeUndefined();
    expect(
      refusalOf(config, { ...DISCORD_DM, workspace: 'T0HOME', platform: 'slack' }),
    ).toBeUndefined();
    expect(refusalOf(config, { ...DISCORD_DM, workspace: 'T0ELSE', platform: 'slack' })).toBe(
      'workspace',
    );
  });
});
