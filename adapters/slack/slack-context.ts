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

/** How many of a thread's newest lines a mid-thread mention brings (the store trims further). */
export const CONTEXT_MAX_MESSAGES = 200;
// Slack: "we recommend no more than 200 results at a time" for paginated methods.
const CONTEXT_PAGE_SIZE = 200;
// Replies come oldest first, so the newest are read by paging to the end; a thread longer
// than this many pages (10,000 replies) is read no further, and that is logged.
const CONTEXT_MAX_PAGES = 50;

type RawMessage = Record<string, unknown>;

/**
 * Reads a thread once (`conversations.replies`, paged) as conversation lines: its newest
 * `CONTEXT_MAX_MESSAGES` lines, oldest first; [] when it cannot.
 */
export async function loadThreadContext(
  deps: ThreadContextDeps,
  channel: string,
  rootTs: string,
): Promise<Message[]> {
  try {
    const newest = await readNewest(deps, channel, rootTs);
    const lines = await Promise.all(newest.map((raw) => toLine(deps, raw)));
    return lines.filter((line): line is Message => line !== undefined);
  } catch (error) {
    deps.logger.warn('thread context not loaded', { channel, error });
    return [];
  }
}

/** Pages through the thread, keeping only the newest lines seen so far. */
async function readNewest(deps: ThreadContextDeps, channel: string, ts: string) {
  let newest: RawMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < CONTEXT_MAX_PAGES; page += 1) {
    const request = { channel, ts, limit: CONTEXT_PAGE_SIZE, ...(cursor ? { cursor } : {}) };
    const result = await callSlack(() => deps.client.conversations.replies(request));
    const lines = (result.messages ?? [])
      .map((raw): RawMessage => ({ channel, ...raw }))
      .filter((raw) => isLine(deps, raw));
    newest = [...newest, ...lines].slice(-CONTEXT_MAX_MESSAGES);
    cursor = result.response_metadata?.next_cursor;
    // Slack: "an empty, null, or non-existent next_cursor indicates no further results".
    if (!cursor) return newest;
  }
  deps.logger.warn('thread context partial', { channel, pages: CONTEXT_MAX_PAGES });
  return newest;
}

/** Whether a raw reply becomes a line (Parley's own, or a person's), before any lookup. */
function isLine(deps: ThreadContextDeps, raw: RawMessage): boolean {
  if (typeof raw.ts !== 'string') return false;
  return (
    isOwn(deps, raw) ||
    readPersonMessage({ ...raw, type: 'message' }, deps.bot.userId).kind !== 'ignored'
  );
}

function isOwn(deps: ThreadContextDeps, raw: RawMessage): boolean {
  return (
    raw.user === deps.bot.userId || (raw.bot_id !== undefined && raw.bot_id === deps.bot.botId)
  );
}

async function toLine(
  deps: ThreadContextDeps,
  raw: Record<string, unknown>,
): Promise<Message | undefined> {
  const ts = typeof raw.ts === 'string' ? raw.ts : undefined;
  if (ts === undefined) return undefined;
  if (isOwn(deps, raw)) {
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
