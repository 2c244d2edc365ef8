import { isRecord } from '../../src/core/guards.js';
import type { Attachment } from '../../src/core/model.js';
import { mentions } from './slack-text.js';

/** The fields Parley reads from a Slack `message` or `app_mention` event, validated. */
export interface SlackMessageEvent {
  readonly type: 'message' | 'app_mention';
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  readonly channelType: string | undefined;
  readonly team: string | undefined;
  readonly files: readonly Attachment[];
}

/** What to do with one event. */
export type SlackRoute =
  | {
      readonly kind: 'answer';
      readonly trigger: 'mention' | 'dm';
      readonly event: SlackMessageEvent;
    }
  /** A reply in a thread without a mention: answered only when Parley is part of that thread. */
  | { readonly kind: 'thread-reply'; readonly event: SlackMessageEvent }
  | { readonly kind: 'ignored'; readonly reason: IgnoreReason };

export type IgnoreReason = 'malformed' | 'self' | 'bot' | 'subtype' | 'not-addressed';

// Subtypes that still carry a person's new message; every other one (edits, deletions,
// joins, topic changes, bot messages) is not a message for the agent.
const ANSWERED_SUBTYPES: ReadonlySet<string> = new Set(['file_share', 'thread_broadcast']);
const TS_PATTERN = /^\d{1,12}\.\d{1,8}$/;

/** Decides whether a Slack event is a person's message for Parley, and how it is addressed. */
export function routeSlackEvent(raw: unknown, botUserId: string): SlackRoute {
  const person = readPersonMessage(raw, botUserId);
  if (person.kind === 'ignored') return person;
  const { event } = person;
  if (event.type === 'app_mention' || mentions(event.text, botUserId)) {
    return { kind: 'answer', trigger: 'mention', event };
  }
  if (event.channelType === 'im') return { kind: 'answer', trigger: 'dm', event };
  if (event.threadTs !== undefined && event.threadTs !== event.ts)
    return { kind: 'thread-reply', event };
  return { kind: 'ignored', reason: 'not-addressed' };
}

/** A person's new message (not a bot's, not Parley's own, not an edit or a join), validated. */
export function readPersonMessage(
  raw: unknown,
  botUserId: string,
):
  | { readonly kind: 'person'; readonly event: SlackMessageEvent }
  | { readonly kind: 'ignored'; readonly reason: IgnoreReason } {
  if (!isRecord(raw)) return { kind: 'ignored', reason: 'malformed' };
  if (raw.bot_id !== undefined || raw.subtype === 'bot_message')
    return { kind: 'ignored', reason: 'bot' };
  if (typeof raw.subtype === 'string' && !ANSWERED_SUBTYPES.has(raw.subtype)) {
    return { kind: 'ignored', reason: 'subtype' };
  }
  const event = parseMessageEvent(raw);
  if (event === undefined) return { kind: 'ignored', reason: 'malformed' };
  if (event.user === botUserId) return { kind: 'ignored', reason: 'self' };
  return { kind: 'person', event };
}

function parseMessageEvent(raw: Readonly<Record<string, unknown>>): SlackMessageEvent | undefined {
  const { type, channel, user, ts } = raw;
  if (type !== 'message' && type !== 'app_mention') return undefined;
  if (!isId(channel) || !isId(user) || typeof ts !== 'string' || !TS_PATTERN.test(ts))
    return undefined;
  const threadTs =
    typeof raw.thread_ts === 'string' && TS_PATTERN.test(raw.thread_ts) ? raw.thread_ts : undefined;
  return {
    type,
    channel,
    user,
    ts,
    threadTs,
    text: typeof raw.text === 'string' ? raw.text : '',
    channelType: typeof raw.channel_type === 'string' ? raw.channel_type : undefined,
    team: typeof raw.team === 'string' ? raw.team : undefined,
    files: parseFiles(raw.files),
  };
}

// A message's files as the history keeps them: Slack's file id, never its private URL.
const MOST_FILES = 20;

function parseFiles(files: unknown): Attachment[] {
  if (!Array.isArray(files)) return [];
  return files
    .filter(isRecord)
    .slice(0, MOST_FILES)
    .flatMap((file) => {
      if (typeof file.id !== 'string' || !/^F[A-Z0-9]{2,40}$/.test(file.id)) return [];
      const name = typeof file.name === 'string' && file.name !== '' ? file.name : 'file';
      const size = file.size;
      return [
        {
          name: name.slice(0, 200),
          ref: file.id,
          ...(typeof file.mimetype === 'string' ? { mimeType: file.mimetype.slice(0, 100) } : {}),
          ...(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? { size } : {}),
        },
      ];
    });
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Z0-9]{2,}$/.test(value);
}

/** The thread a message belongs to: its thread's root, or itself (a mention starts a thread). */
export function threadRootOf(event: SlackMessageEvent): string {
  return event.threadTs ?? event.ts;
}
