import { describe, expect, it } from 'vitest';
import { isPartOf, join } from '../../src/core/participation.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import { threadRef, userMessage } from '../support/messages.js';

const limits = { maxMessages: 10, maxChars: 1_000, ttlMs: 60_000 };

describe('participation', () => {
  it('counts a thread Parley was just asked into, before any answer is recorded', async () => {
    const store = createMemoryConversationStore({ limits });
    const asked = threadRef('asked');

    const before = await isPartOf(store, asked);
    await join(store, asked);

    expect([
      before,
      await isPartOf(store, asked),
      await isPartOf(store, threadRef('other')),
    ]).toEqual([false, true, false]);
  });

  it('keeps a joined thread after its history is reset or emptied', async () => {
    const store = createMemoryConversationStore({ limits });
    const thread = threadRef('talked');
    await join(store, thread);
    await store.append(thread, [userMessage('hello')]);

    await store.resetThread(thread, Date.now());
    const afterReset = await isPartOf(store, thread);
    await store.clear(thread);

    expect([afterReset, await isPartOf(store, thread)]).toEqual([true, true]);
  });

  it('does not count a thread that only has history (history is not participation)', async () => {
    const store = createMemoryConversationStore({ limits });
    await store.append(threadRef('backfilled'), [userMessage('hello')]);

    expect(await isPartOf(store, threadRef('backfilled'))).toBe(false);
  });
});
