import { describe, expect, it } from 'vitest';
import { threadKey } from '../../src/core/model.js';
import { failure } from '../support/scripted-agent.js';
import { ALI, JIMMY, THREAD, testEngine } from './roleplay-harness.js';

const KEY = threadKey(THREAD);
const starter = { id: 'U1', name: 'Ada' };

async function startPlay(parts: ReturnType<typeof testEngine>, turns = 4, topic = 'first dates') {
  const result = await parts.engine.start({
    thread: THREAD,
    first: ALI,
    second: JIMMY,
    topic,
    turns,
    startedBy: starter,
  });
  if (!result.ok) throw new Error(result.text);
  return result.play;
}

describe('role-play engine', () => {
  it('plays N turns alternating A, B, A, B with the right agents, then closes', async () => {
    const parts = testEngine();

    await startPlay(parts, 4);
    await parts.engine.finished(KEY);

    expect(parts.agent.calls.map((call) => call.agentId)).toEqual([
      ALI.id,
      JIMMY.id,
      ALI.id,
      JIMMY.id,
    ]);
    expect(parts.lines.map((line) => line.name)).toEqual(['Ali', 'Jimmy', 'Ali', 'Jimmy']);
    expect(parts.said).toEqual(['🎬 The end: 4 turns done.']);
    expect(await parts.plays.get(KEY)).toMatchObject({ status: 'done', turn: 4 });
  });

  it('shows each agent the dialogue from its own side', async () => {
    const parts = testEngine();

    await startPlay(parts, 3);
    await parts.engine.finished(KEY);
    const [first, second, third] = parts.agent.calls;

    expect(first?.messages.map((message) => message.role)).toEqual(['user']);
    expect(first?.messages[0]?.text).toContain('You are Ali');
    expect(first?.messages[0]?.text).toContain('Jimmy');
    expect(first?.messages[0]?.text).toContain('first dates');
    expect(second?.messages.at(-1)).toMatchObject({
      role: 'user',
      text: `⟦speaker ${ALI.id} "Ali"⟧\n${ALI.id} line 1`,
    });
    expect(second?.messages[0]?.text).toContain('You are Jimmy');
    expect(third?.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(third?.messages[1]?.text).toBe(`${ALI.id} line 1`);
  });

  it('refuses a second play in the same thread', async () => {
    const parts = testEngine({ answer: () => new Promise(() => {}) });
    await startPlay(parts, 2);

    const second = await parts.engine.start({
      thread: THREAD,
      first: ALI,
      second: JIMMY,
      topic: 'again',
      turns: 2,
      startedBy: starter,
    });

    expect(second).toEqual({ ok: false, text: 'A role-play is already running in this thread.' });
    await parts.engine.drain();
  });

  it('lets the starter or an admin stop it, and no one else', async () => {
    const parts = testEngine({ answer: () => new Promise(() => {}) });
    await startPlay(parts, 6);

    const stranger = await parts.engine.stop(KEY, { id: 'U2', name: 'Bob', isAdmin: false });
    const admin = await parts.engine.stop(KEY, { id: 'U3', name: 'Root', isAdmin: true });
    await parts.engine.finished(KEY);

    expect(stranger).toEqual({
      ok: false,
      text: 'Only Ada, who started this role-play, or an admin can stop it.',
    });
    expect(admin.ok).toBe(true);
    expect(parts.said).toEqual(['🛑 Stopped by Root.']);
    expect(await parts.plays.get(KEY)).toMatchObject({ status: 'stopped' });
  });

  it('lets the next speaker hear a person who interjects', async () => {
    let release: () => void = () => {};
    const firstLineHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    const parts = testEngine({
      answer: async (request, call) => {
        if (call === 1) await firstLineHeld;
        return { chunks: [`${request.agentId} line ${call}`] };
      },
    });
    await startPlay(parts, 2);
    await waitUntil(async () => parts.agent.calls.length === 1);

    const heard = await parts.engine.interject(THREAD, {
      id: 'm1',
      role: 'user',
      author: { id: 'U9', name: 'Zoe', isBot: false },
      text: 'Talk about cats!',
      attachments: [],
      at: 1,
    });
    release();
    await parts.engine.finished(KEY);

    expect(heard).toBe(true);
    expect(parts.agent.calls[1]?.messages.at(-1)?.text).toContain(
      '⟦audience U9 "Zoe"⟧\nTalk about cats!',
    );
  });

  it('ends with the reason when an agent fails', async () => {
    const parts = testEngine({
      answer: (_request, call) =>
        call === 2 ? { chunks: [], error: failure('AGENT_NOT_FOUND') } : { chunks: ['hello'] },
    });

    await startPlay(parts, 4);
    await parts.engine.finished(KEY);

    expect(parts.said).toHaveLength(1);
    expect(parts.said[0]).toMatch(/^⚠️ The role-play stopped: I can’t find the agent/);
    expect(await parts.plays.get(KEY)).toMatchObject({ status: 'failed', turn: 1 });
  });

  it('resumes after a process dies mid-line, with no turn repeated or skipped', async () => {
    const dying = testEngine({
      answer: (request, call) =>
        call === 3 ? new Promise(() => {}) : { chunks: [`${request.agentId} line ${call}`] },
    });
    await startPlay(dying, 5);
    await waitUntil(
      async () => (await dying.plays.get(KEY))?.turn === 2 && dying.agent.calls.length === 3,
    );

    await dying.engine.drain();
    const next = testEngine({ plays: dying.plays, store: dying.store });
    const adopted = await next.engine.resume();
    await next.engine.finished(KEY);

    const play = await next.plays.get(KEY);
    expect(adopted).toBe(1);
    expect(play).toMatchObject({ status: 'done', turn: 5 });
    expect(play?.transcript.map((line) => (line.kind === 'actor' ? line.actor : 'human'))).toEqual([
      0, 1, 0, 1, 0,
    ]);
    expect(next.agent.calls.map((call) => call.agentId)).toEqual([ALI.id, JIMMY.id, ALI.id]);
  });
});

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 1_000; tries += 1) {
    if (await check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
}
