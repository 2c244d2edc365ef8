import type { Message } from '../../src/core/model.js';
import type { Logger } from '../../src/log/logger.js';
import { callSlack, type WebClient } from './slack-calls.js';
import { readPersonMessage } from './slack-events.js';
import { type NameOf, slackTextToMarkdown } from './slack-text.js';

export interface ThreadContextDeps {
  readonly client: WebClient;
  readonly logger: Logger;
  readonly nameOf: NameOf;
  readonly bot: { readonly userId: string; readonly botId: string; readonly name: string };
}

// One page of replies: enough for the agent to follow a thread, bounded so a huge thread
// costs one call (the store trims further to the history budget).
const CONTEXT_MAX_MESSAGES = 100;

/** Reads a thread once (`conversations.replies`) as conversation lines; [] when it cannot. */
export async function loadThreadContext(
  deps: ThreadContextDeps,
  channel: string,
  rootTs: string,
): Promise<Message[]> {
  try {
    const result = await callSlack(() =>
      deps.client.conversations.replies({ channel, ts: rootTs, limit: CONTEXT_MAX_MESSAGES }),
    );
    const lines = await Promise.all(
      (result.messages ?? []).map((raw) => toLine(deps, { channel, ...raw })),
    );
    return lines.filter((line): line is Message => line !== undefined);
  } catch (error) {
    deps.logger.warn('thread context not loaded', { channel, error });
    return [];
  }
}

async function toLine(
  deps: ThreadContextDeps,
  raw: Record<string, unknown>,
): Promise<Message | undefined> {
  const ts = typeof raw.ts === 'string' ? raw.ts : undefined;
  if (ts === undefined) return undefined;
  if (raw.user === deps.bot.userId || (raw.bot_id !== undefined && raw.bot_id === deps.bot.botId)) {
    const text = typeof raw.text === 'string' ? raw.text : '';
    return line(ts, 'assistant', { id: deps.bot.userId, name: deps.bot.name, isBot: true }, text);
  }
  const route = readPersonMessage({ ...raw, type: 'message' }, deps.bot.userId);
  if (route.kind === 'ignored') return undefined;
  const text = await slackTextToMarkdown(route.event.text, deps.bot.userId, deps.nameOf);
  const author = { id: route.event.user, name: await deps.nameOf(route.event.user), isBot: false };
  return { ...line(ts, 'user', author, text), attachments: route.event.files };
}

function line(ts: string, role: Message['role'], author: Message['author'], text: string): Message {
  return { id: ts, role, author, text, attachments: [], at: Math.round(Number(ts) * 1000) };
}
