import { describe, expect, it } from 'vitest';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import { threadRef } from '../support/messages.js';
import {
  CONTRACT_LIMITS,
  describeConversationStoreContract,
} from './conversation-store.contract.js';

// Short, so the contract's unclaimed place lapses quickly.
const PLACE_HOLD_MS = 300;

describeConversationStoreContract('memory store', (limits, now) =>
  createMemoryConversationStore({
    limits,
    placeHoldMs: PLACE_HOLD_MS,
    ...(now === undefined ? {} : { now }),
  }),
);

describe('memory store', () => {
  it('refuses an admission receipt (only a queue on Redis has workers to take one up), admitting nothing', async () => {
    const store = createMemoryConversationStore({ limits: CONTRACT_LIMITS });
    const thread = threadRef('memory');
    const receipt = { jobId: 'reply-1', job: '{}', dueAt: Date.now() };

    await expect(store.admit(thread, 'delivery:1', 60_000, { receipt })).rejects.toThrow(/receipt/);
    expect(await store.admit(thread, 'delivery:1', 60_000)).toBeDefined();
  });
});
