import type { ConversationStore } from '../store/store.js';
import { DEDUPE_TTL_MS } from './dispatcher.js';
import { type ThreadRef, threadKey } from './model.js';

// Long enough for the first answer to be recorded, after which the history itself tells.
const JOINED_TTL_MS = DEDUPE_TTL_MS;

function joinedKey(thread: ThreadRef): string {
  return `joined:${threadKey(thread)}`;
}

/**
 * Marks that Parley was asked into a thread (a mention), at once: with a work queue the first
 * answer may not be recorded yet when the next message in the thread arrives.
 */
export async function join(store: ConversationStore, thread: ThreadRef): Promise<void> {
  await store.claim(joinedKey(thread), JOINED_TTL_MS);
}

/** Parley takes part in a thread it has answered in, or has just been asked into. */
export async function isPartOf(store: ConversationStore, thread: ThreadRef): Promise<boolean> {
  return (await store.historyLength(thread)) > 0 || store.isClaimed(joinedKey(thread));
}
