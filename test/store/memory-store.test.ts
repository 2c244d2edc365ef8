import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import { describeConversationStoreContract } from './conversation-store.contract.js';

// Short, so the contract's unclaimed place lapses quickly.
const PLACE_HOLD_MS = 300;

describeConversationStoreContract('memory store', (limits, now) =>
  createMemoryConversationStore({
    limits,
    placeHoldMs: PLACE_HOLD_MS,
    ...(now === undefined ? {} : { now }),
  }),
);
