import type { ConversationStore } from '../store/store.js';
import type { ConversationCommands } from './commands.js';
import { DEDUPE_TTL_MS, deliveryClaim } from './dispatcher.js';
import type { WireMessage } from './replies.js';

// What a person writes to Parley, alone, to forget a thread: any member can, no command needed.
const RESET_WORDS: ReadonlySet<string> = new Set(['reset', '/reset']);

/** True when the message is only the word that resets the conversation. */
export function isResetWord(text: string): boolean {
  return RESET_WORDS.has(text.trim().toLowerCase());
}

/**
 * Resets the message's conversation once however often it is delivered, cut at the message's
 * own time (the platform's clock orders the thread), and says so through `say`.
 */
export async function resetFromMessage(
  store: ConversationStore,
  commands: ConversationCommands,
  incoming: WireMessage,
  say: (text: string) => Promise<void>,
): Promise<void> {
  if (!(await store.claim(deliveryClaim(incoming.deliveryKey), DEDUPE_TTL_MS))) return;
  const reply = await commands.reset(incoming.thread, incoming.message.at);
  await say(reply.text);
}
