/** The fields Parley reads from a Discord message (a discord.js `Message`, reduced and validated). */
export interface DiscordMessageFacts {
  readonly id: string;
  readonly channelId: string;
  readonly guildId: string | null;
  /** 'dm', 'text' (a guild text or announcement channel), 'thread', or anything else. */
  readonly channelKind: 'dm' | 'text' | 'thread' | 'other';
  /** The text channel a thread belongs to. */
  readonly parentId: string | null;
  readonly authorId: string;
  readonly isAuthorBot: boolean;
  readonly webhookId: string | null;
  /** Discord's message type: 0 default, 19 reply; everything else is a system message. */
  readonly type: number;
  readonly isEdit: boolean;
  readonly content: string;
  readonly mentionsBot: boolean;
}

export type DiscordRoute =
  /** A mention in a text channel: open a thread on the message and answer there. */
  | { readonly kind: 'open-thread' }
  /** A mention inside a thread: answer there, reading the thread so far. */
  | { readonly kind: 'thread-mention' }
  /** A message in a thread without a mention: answered when Parley is part of the thread. */
  | { readonly kind: 'thread-reply' }
  | { readonly kind: 'dm' }
  | {
      readonly kind: 'ignored';
      readonly reason: 'self' | 'bot' | 'webhook' | 'system' | 'edit' | 'not-addressed';
    };

// Default messages and replies are what people type; the rest are joins, pins, boosts, …
const PERSON_MESSAGE_TYPES: ReadonlySet<number> = new Set([0, 19]);

/** Decides whether a Discord message is a person's message for Parley, and how it is addressed. */
export function routeDiscordMessage(message: DiscordMessageFacts, botUserId: string): DiscordRoute {
  if (message.authorId === botUserId) return { kind: 'ignored', reason: 'self' };
  // Role-play personas post through webhooks: they must never trigger Parley.
  if (message.webhookId !== null) return { kind: 'ignored', reason: 'webhook' };
  if (message.isAuthorBot) return { kind: 'ignored', reason: 'bot' };
  if (!PERSON_MESSAGE_TYPES.has(message.type)) return { kind: 'ignored', reason: 'system' };
  if (message.isEdit) return { kind: 'ignored', reason: 'edit' };
  if (message.channelKind === 'dm') return { kind: 'dm' };
  if (message.channelKind === 'thread')
    return message.mentionsBot ? { kind: 'thread-mention' } : { kind: 'thread-reply' };
  if (message.channelKind === 'text' && message.mentionsBot) return { kind: 'open-thread' };
  return { kind: 'ignored', reason: 'not-addressed' };
}

// Discord's thread name limit is 100 characters.
export const DISCORD_THREAD_NAME_MAX = 100;
const FALLBACK_THREAD_NAME = 'Parley';
const MARKUP = /[*_`~>#|]/g;
// Control characters and half surrogate pairs are not text a thread name can show.
const UNSHOWABLE =
  /\p{Cc}|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

/** A thread name from the question: its first line, tidied, within Discord's limit. */
export function threadNameFrom(question: string): string {
  const firstLine = question.split('\n').find((line) => line.trim() !== '') ?? '';
  const tidy = firstLine.replace(MARKUP, '').replace(UNSHOWABLE, ' ').replace(/\s+/g, ' ').trim();
  if (tidy === '') return FALLBACK_THREAD_NAME;
  if (tidy.length <= DISCORD_THREAD_NAME_MAX) return tidy;
  // Cut between code points, never inside a surrogate pair.
  let cut = '';
  for (const char of tidy) {
    if (cut.length + char.length > DISCORD_THREAD_NAME_MAX - 1) break;
    cut += char;
  }
  return `${cut.trimEnd()}…`;
}
