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

  it('counts a thread with history', async () => {
    const store = createMemoryConversationStore({ limits });
    await store.append(threadRef('talked'), [userMessage('hello')]);

    expect(await isPartOf(store, threadRef('talked'))).toBe(true);
  });
});
