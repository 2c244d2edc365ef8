import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { testSecret } from '../support/test-secret.js';

const BASE = {
  MISTRAL_API_KEY: testSecret('sk-'),
  MISTRAL_AGENT_ID: 'ag:3996db2b:20240805:french-agent:a8997aab',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  const result = loadConfig({ ...BASE, ...env });
  return result.ok ? [] : result.problems;
}

describe('access settings', () => {
  it('let everyone in everywhere by default, with two role-plays per person', () => {
    const result = loadConfig(BASE);

    expect(result.ok && result.config.access).toEqual({
      workspaces: undefined,
      channels: undefined,
      users: undefined,
      roles: undefined,
      allowDms: true,
      admins: new Set(),
      userRateLimit: undefined,
      roleplayMaxPerUser: 2,
    });
  });

  it('reads id lists of Slack and Discord ids, the DM switch, the rate and the play count', () => {
    const result = loadConfig({
      ...BASE,
      ALLOWED_WORKSPACES: 'T0123ABCD, 1100000000000000100',
      ALLOWED_CHANNELS: 'C0GENERAL,1100000000000000200',
      ALLOWED_USERS: 'U0ALICE',
      ALLOWED_ROLES: '1100000000000000900',
      ALLOW_DMS: 'false',
      ADMIN_USERS: 'U0BOB,W0CAROL',
      USER_RATE_LIMIT: '30/h',
      ROLEPLAY_MAX_PER_USER: '5',
    });

    expect(result.ok && result.config.access).toEqual({
      workspaces: new Set(['T0123ABCD', '1100000000000000100']),
      channels: new Set(['C0GENERAL', '1100000000000000200']),
      users: new Set(['U0ALICE']),
      roles: new Set(['1100000000000000900']),
      allowDms: false,
      admins: new Set(['U0BOB', 'W0CAROL']),
      userRateLimit: { count: 30, windowMs: 3_600_000, text: '30/h' },
      roleplayMaxPerUser: 5,
    });
  });

  it.each([
    ['1/s', 1_000],
    ['10/m', 60_000],
    ['2 / d', 86_400_000],
  ])('reads USER_RATE_LIMIT=%s', (text, windowMs) => {
    const result = loadConfig({ ...BASE, USER_RATE_LIMIT: text });

    expect(result.ok && result.config.access.userRateLimit?.windowMs).toBe(windowMs);
  });

  it('reports a malformed list, rate or switch by the variable’s name, without echoing it', () => {
    const problems = problemsOf({
      ALLOWED_CHANNELS: 'C0GENERAL,#random',
      ALLOWED_USERS: 'U0ALICE,,U0BOB',
      ADMIN_USERS: 'alice',
      USER_RATE_LIMIT: '30 per hour',
      ALLOW_DMS: 'sometimes',
      ROLEPLAY_MAX_PER_USER: '0',
    });

    expect(problems).toEqual([
      expect.stringMatching(/^ALLOWED_CHANNELS must be a comma-separated list .*entry 2 of 2/),
      expect.stringMatching(/^ALLOWED_USERS must be a comma-separated list .*entry 2 of 3/),
      'ALLOW_DMS must be one of true, false',
      expect.stringMatching(/^ADMIN_USERS must be a comma-separated list .*entry 1 of 1/),
      expect.stringMatching(
        /^USER_RATE_LIMIT must be a count per window: N\/s, N\/m, N\/h or N\/d/,
      ),
      'ROLEPLAY_MAX_PER_USER must be a whole number from 1 to 1000',
    ]);
    expect(problems.join('\n')).not.toContain('#random');
  });

  it.each(['0/h', '5/w', '/h', '5'])('refuses USER_RATE_LIMIT=%s', (text) => {
    expect(problemsOf({ USER_RATE_LIMIT: text })).toEqual([
      expect.stringMatching(/^USER_RATE_LIMIT must be/),
    ]);
  });
});
