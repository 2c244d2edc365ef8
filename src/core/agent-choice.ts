import type { ConversationStore } from '../store/store.js';
import { channelKey, type ThreadRef, threadKey } from './model.js';

/** The agent for a thread: the thread's own choice, else its channel's, else the default. */
export async function resolveAgentId(
  store: ConversationStore,
  thread: ThreadRef,
  defaultAgentId: string,
): Promise<string> {
  const [threadSettings, channelSettings] = await store.settings([
    threadKey(thread),
    channelKey(thread),
  ]);
  return threadSettings?.agentId ?? channelSettings?.agentId ?? defaultAgentId;
}
