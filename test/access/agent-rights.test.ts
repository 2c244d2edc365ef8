import { describe, expect, it } from 'vitest';
import { agentChoiceRefusal } from '../../src/access/agent-rights.js';

describe('agentChoiceRefusal', () => {
  it('lets an admin choose anything anywhere', () => {
    const admin = { platform: 'slack' as const, isAdmin: true, isOwnDm: false };

    expect(agentChoiceRefusal(admin, false)).toBeUndefined();
  });

  it('refuses a channel’s agent to others, saying who may', () => {
    const member = { platform: 'discord' as const, isAdmin: false, isOwnDm: false };

    expect(agentChoiceRefusal(member, true)).toMatch(
      /^Only members with Manage Server or Manage Channels .* can change the agent of a channel/,
    );
  });

  it('lets anyone pick from the roster in their own DM, but not a raw agent id', () => {
    const inDm = { platform: 'slack' as const, isAdmin: false, isOwnDm: true };

    expect(agentChoiceRefusal(inDm, true)).toBeUndefined();
    expect(agentChoiceRefusal(inDm, false)).toMatch(/^Agent ids are for workspace admins/);
  });
});
