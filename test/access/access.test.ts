import { describe, expect, it, vi } from 'vitest';
import { createAccess } from '../../src/access/access.js';
import type { Asker } from '../../src/access/policy.js';
import { createMemoryRateLimiter } from '../../src/access/rate-limit.js';
import type { AccessConfig } from '../../src/config/access-config.js';
import { silentLogger } from '../../src/log/logger.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';

const CONFIG: AccessConfig = {
  workspaces: undefined,
  channels: new Set(['C0RANDOM']),
  users: undefined,
  roles: undefined,
  allowDms: true,
  admins: new Set(['U0BOB']),
  userRateLimit: { count: 1, windowMs: 60_000, text: '1/m' },
  roleplayMaxPerUser: 2,
};
const ALICE_IN_GENERAL: Asker = {
  platform: 'slack',
  workspace: 'T1',
  channels: ['C0GENERAL'],
  userId: 'U0ALICE',
  roleIds: [],
  isDm: false,
};

function access() {
  const onRefused = vi.fn();
  const store = createMemoryConversationStore({
    limits: { maxMessages: 5, maxChars: 1_000, ttlMs: 60_000 },
  });
  const made = createAccess({
    config: CONFIG,
    limiter: createMemoryRateLimiter(),
    store,
    onRefused,
    logger: silentLogger,
  });
  return { access: made, onRefused };
}

describe('access', () => {
  it('counts a refused delivery once, though its twin arrives too', () => {
    const { access: gate, onRefused } = access();
    const refusal = gate.refusal(ALICE_IN_GENERAL);

    if (refusal !== undefined) {
      gate.refuse(ALICE_IN_GENERAL, refusal, 'slack:T1:C0GENERAL:1.1');
      gate.refuse(ALICE_IN_GENERAL, refusal, 'slack:T1:C0GENERAL:1.1');
      gate.refuse(ALICE_IN_GENERAL, refusal, 'slack:T1:C0GENERAL:1.2');
    }

    expect(refusal).toBe('channel');
    expect(onRefused.mock.calls).toEqual([['channel'], ['channel']]);
  });

  it('notes a refusal once per person and channel', async () => {
    const { access: gate } = access();
    const inRandom = { ...ALICE_IN_GENERAL, channels: ['C0OTHER'] };

    const notes = [
      await gate.shouldNote(ALICE_IN_GENERAL),
      await gate.shouldNote(ALICE_IN_GENERAL),
      await gate.shouldNote(inRandom),
      await gate.shouldNote({ ...ALICE_IN_GENERAL, userId: 'U0CAROL' }),
    ];

    expect(notes).toEqual([true, false, true, true]);
  });

  it('tells the first call over the limit when to ask again, and then stays quiet', async () => {
    const { access: gate, onRefused } = access();

    const outcomes = [
      await gate.take('slack', 'U0ALICE', 'm1'),
      await gate.take('slack', 'U0ALICE', 'm2'),
      await gate.take('slack', 'U0ALICE', 'm3'),
    ];

    expect(outcomes[0]).toEqual({ kind: 'allowed' });
    expect(outcomes[1]).toMatchObject({
      kind: 'limited',
      notice: expect.stringContaining('You can ask again in 60 seconds'),
    });
    expect(outcomes[2]).toMatchObject({ kind: 'limited', notice: undefined });
    expect(onRefused.mock.calls).toEqual([['rate_limit'], ['rate_limit']]);
  });

  it('counts ADMIN_USERS as admins besides the platform’s own', () => {
    const { access: gate } = access();

    expect([
      gate.isAdmin('U0BOB', false),
      gate.isAdmin('U0ALICE', true),
      gate.isAdmin('U0ALICE', false),
    ]).toEqual([true, true, false]);
  });
});
