import type { ConversationStore } from '../store/store.js';
import type { ThreadRef } from './model.js';

/**
 * Parley takes part in a thread from the moment it is asked in (a mention), kept as a fact in
 * the store for as long as the thread's history: not derived from the history (a reset or a
 * refused first message empties it) nor from a short claim.
 */
export async function join(store: ConversationStore, thread: ThreadRef): Promise<void> {
  await store.joinThread(thread);
}

/** True when Parley answers follow-ups in this thread without a mention. */
export async function isPartOf(store: ConversationStore, thread: ThreadRef): Promise<boolean> {
  return (await store.threadState(thread)).isJoined;
}
