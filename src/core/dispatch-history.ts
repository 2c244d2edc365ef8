import type { ConversationStore } from '../store/store.js';
import type { IncomingMessage, Message } from './model.js';

// What the dispatcher writes to a thread's history: the person's line (with backfill) and the answer.

/** The id of the answer to a message: a retry finds it in the history. */
export function replyIdOf(incoming: IncomingMessage): string {
  return `${incoming.message.id}:reply`;
}

/**
 * Appends the person's message; a first mention mid-thread also brings the thread so far.
 * `recorded` is the history a retry already read: the message may be in it from the first try.
 */
export async function appendWithContext(
  store: ConversationStore,
  incoming: IncomingMessage,
  recorded: readonly Message[] | undefined,
) {
  if (recorded?.some((message) => message.id === incoming.message.id)) return recorded;
  const load = incoming.loadContext;
  if (load === undefined || (recorded !== undefined && recorded.length > 0))
    return store.append(incoming.thread, [incoming.message]);
  // Mid-thread: the thread so far comes first only when the history has not begun.
  const appended =
    recorded === undefined
      ? await store.appendIfStarted(incoming.thread, [incoming.message])
      : undefined;
  if (appended !== undefined) return appended;
  const earlier = await backfill(store, incoming, load);
  return store.append(incoming.thread, [...earlier, incoming.message]);
}

/** The thread so far, as the platform has it, less what a reset cut off and what was refused. */
async function backfill(
  store: ConversationStore,
  incoming: IncomingMessage,
  load: () => Promise<readonly Message[]>,
): Promise<Message[]> {
  const [context, state] = await Promise.all([load(), store.threadState(incoming.thread)]);
  const cutOff = state.resetAt ?? Number.NEGATIVE_INFINITY;
  const refused = new Set([...state.refused, incoming.message.id]);
  return context.filter((message) => message.at > cutOff && !refused.has(message.id));
}

/**
 * One agent's line of an answer. The files it showed are kept by name only (the agent sees
 * that it sent them; the platform's copies are not read back).
 */
export function assistantMessage(
  incoming: IncomingMessage,
  agent: { readonly id: string; readonly name: string },
  said: { readonly text: string; readonly files?: readonly string[] },
  at: number,
  /** Which agent of the answer this is (0, then 1… after each handoff). */
  part = 0,
): Message {
  return {
    id: part === 0 ? replyIdOf(incoming) : `${replyIdOf(incoming)}:${part}`,
    role: 'assistant',
    author: { id: agent.id, name: agent.name, isBot: true },
    text: said.text,
    attachments: (said.files ?? []).map((name) => ({ name, ref: '' })),
    at,
  };
}
