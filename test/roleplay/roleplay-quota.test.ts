import { describe, expect, it, vi } from 'vitest';
import { createAccess } from '../../src/access/access.js';
import { playQuotaOf } from '../../src/access/play-limits.js';
import { createMemoryRateLimiter } from '../../src/access/rate-limit.js';
import type { AccessConfig } from '../../src/config/access-config.js';
import { type ThreadRef, threadKey } from '../../src/core/model.js';
import { silentLogger } from '../../src/log/logger.js';
import { createMemoryPlayStore } from '../../src/roleplay/memory-play-store.js';
import { createRoleplayEngine } from '../../src/roleplay/roleplay-engine.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import { OPEN_ACCESS } from '../support/access.js';
import { scriptedAgent } from '../support/scripted-agent.js';
import { ALI, JIMMY, recordingStage, THREAD } from './roleplay-harness.js';

const OPEN = OPEN_ACCESS;
const ADA = { id: 'U1', name: 'Ada' };

/** An engine under access limits, with an agent that holds every line until `hold` is false. */
function limitedEngine(config: Partial<AccessConfig>, hold = false) {
  const onRefused = vi.fn();
  const store = createMemoryConversationStore({
    limits: { maxMessages: 50, maxChars: 10_000, ttlMs: 60_000 },
  });
  const access = createAccess({
    config: { ...OPEN, ...config },
    limiter: createMemoryRateLimiter(),
    store,
    onRefused,
    logger: silentLogger,
  });
  const agent = scriptedAgent(async (request, call) => {
    if (hold) await new Promise(() => undefined);
    return { chunks: [`${request.agentId} line ${call}`] };
  });
  const recorded = recordingStage();
  const engine = createRoleplayEngine({
    plays: createMemoryPlayStore(),
    store,
    agent: agent.client,
    logger: silentLogger,
    pauseMs: 0,
    quota: playQuotaOf(access),
  });
  engine.addStage('console', () => recorded.stage);
  return { engine, agent, onRefused, access, ...recorded };
}

const inThread = (thread: string): ThreadRef => ({ ...THREAD, thread });
const request = (thread: string, startedBy = ADA) => ({
  thread: inThread(thread),
  first: ALI,
  second: JIMMY,
  topic: 'tea',
  turns: 6,
  startedBy,
});

describe('role-play limits per person', () => {
  it('refuses a play past ROLEPLAY_MAX_PER_USER with the count, and lets others start', async () => {
    const parts = limitedEngine({ roleplayMaxPerUser: 2 }, true);
    await parts.engine.start(request('one'));
    await parts.engine.start(request('two'));

    const asked = await parts.engine.startRefusal('console', ADA.id);
    const started = await parts.engine.start(request('three'));
    const other = await parts.engine.start(request('four', { id: 'U2', name: 'Bo' }));

    expect(asked).toMatch(
      /^You already have 2 role-plays running, the most one person may run at once \(2\)/,
    );
    expect(started).toMatchObject({ ok: false, text: asked });
    expect(other.ok).toBe(true);
    expect(await parts.engine.play(threadKey(inThread('three')))).toBeUndefined();
    expect(parts.onRefused.mock.calls).toEqual([['roleplay_limit'], ['roleplay_limit']]);
    await parts.engine.drain();
  });

  it('stops a play whose starter reaches USER_RATE_LIMIT, and says why', async () => {
    const parts = limitedEngine({ userRateLimit: { count: 2, windowMs: 3_600_000, text: '2/h' } });

    await parts.engine.start(request('one'));
    await parts.engine.finished(threadKey(inThread('one')));

    expect(parts.agent.calls).toHaveLength(2);
    expect(parts.lines.map((line) => line.name)).toEqual(['Ali', 'Jimmy']);
    expect(parts.said).toEqual([
      '🛑 Stopped: Ada, who started this role-play, reached their limit of agent requests (2/h). They can start one again in 60 minutes.',
    ]);
    expect(await parts.engine.play(threadKey(inThread('one')))).toMatchObject({
      status: 'stopped',
      turn: 2,
    });
    expect(parts.onRefused.mock.calls).toEqual([['rate_limit']]);
  });

  it('counts the lines against the starter, with their own messages', async () => {
    const parts = limitedEngine({ userRateLimit: { count: 3, windowMs: 3_600_000, text: '3/h' } });
    await parts.access.take('console', ADA.id, 'a message of Ada’s');
    await parts.access.take('console', ADA.id, 'another');

    await parts.engine.start(request('one'));
    await parts.engine.finished(threadKey(inThread('one')));

    expect(parts.agent.calls).toHaveLength(1);
  });

  it('counts a refused stop of someone else’s play', async () => {
    const parts = limitedEngine({}, true);
    await parts.engine.start(request('one'));

    const refused = await parts.engine.stop(threadKey(inThread('one')), {
      id: 'U2',
      name: 'Bo',
      isAdmin: false,
    });

    expect(refused.ok).toBe(false);
    expect(parts.onRefused.mock.calls).toEqual([['not_admin']]);
    await parts.engine.drain();
  });
});
