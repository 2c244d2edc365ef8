import { describe, expect, it } from 'vitest';
import { parseRoster, resolveAgent } from '../../src/config/roster.js';

const FRENCH = 'ag:3996db2b:20240805:french-agent:a8997aab';

describe('parseRoster', () => {
  it('reads alias=agent_id pairs whose ids contain colons', () => {
    const result = parseRoster(`ali=${FRENCH}, Jimmy=ag_0123456789abcdef`);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.roster.get('ali')?.id).toBe(FRENCH);
    expect(result.roster.get('jimmy')?.id).toBe('ag_0123456789abcdef');
  });

  it('reads a JSON roster file with names and avatars', () => {
    const file = JSON.stringify({
      ali: { id: FRENCH, name: 'Ali', avatar: 'https://x.test/a.png' },
    });

    const result = parseRoster('./agents.json', () => file);

    expect(result.ok && result.roster.get('ali')).toEqual({
      alias: 'ali',
      id: FRENCH,
      name: 'Ali',
      avatarUrl: 'https://x.test/a.png',
    });
  });

  it.each([
    ['ali', 'has no "="'],
    ['ali=', 'needs a valid agent id'],
    ['a b=ag:1', 'must be 1–32 letters'],
    ['ali=ag:1,ali=ag:2', 'appears twice'],
  ])('rejects %s with a clear problem', (value, expected) => {
    const result = parseRoster(value);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problem).toContain(expected);
  });

  it('rejects a roster file that is missing or not JSON', () => {
    const missing = parseRoster('/nope/agents.json', () => {
      throw new Error('ENOENT');
    });
    const broken = parseRoster('agents.json', () => '{');
    const badAvatar = parseRoster('agents.json', () =>
      JSON.stringify({ a: { id: 'ag:1', avatar: 'ftp://x' } }),
    );

    expect(missing.ok ? '' : missing.problem).toContain('cannot be read');
    expect(broken.ok ? '' : broken.problem).toContain('is not valid JSON');
    expect(badAvatar.ok ? '' : badAvatar.problem).toContain('must be an http(s) URL');
  });
});

describe('resolveAgent', () => {
  const roster = parseRoster(`ali=${FRENCH}`);
  const agents = roster.ok ? roster.roster : new Map();

  it('finds an agent by alias, case-insensitively, or by its raw id', () => {
    expect(resolveAgent(agents, 'ALI')?.id).toBe(FRENCH);
    expect(resolveAgent(agents, FRENCH)?.alias).toBe('ali');
    expect(resolveAgent(agents, 'ag:9:9:other:1')?.id).toBe('ag:9:9:other:1');
  });

  it('refuses a name that is neither an alias nor shaped like an id', () => {
    expect(resolveAgent(agents, 'bob')).toBeUndefined();
  });
});
