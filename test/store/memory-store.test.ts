import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import { describeConversationStoreContract } from './conversation-store.contract.js';

describeConversationStoreContract('memory store', (limits, now) =>
  createMemoryConversationStore(now === undefined ? { limits } : { limits, now }),
);
