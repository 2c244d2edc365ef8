import { resolveAttachments } from './attachments.js';
import { errors, fieldError, invalidFormBody } from './errors.js';
import type { UploadedFile } from './multipart.js';
import { mergePings, pingsOf } from './pings.js';
import type { FakeState, Writable } from './state.js';
import type {
  FakeChannel,
  FakeMessage,
  FakeMessageReference,
  FakePersona,
  FakeUser,
} from './types.js';
import { asArray, checkMessageFields, isEmptyMessage, isObject, type Json } from './validate.js';
import { messageEvent } from './wire.js';

/** `<@123>` and the legacy `<@!123>` user mentions. */
const USER_MENTION_PATTERN = /<@!?(\d{15,21})>/g;
const ROLE_MENTION_PATTERN = /<@&(\d{15,21})>/g;
/** Message types: DEFAULT and REPLY. */
const DEFAULT_TYPE = 0;
const REPLY_TYPE = 19;

export function requireChannel(state: FakeState, id: string): Writable<FakeChannel> {
  const channel = state.channels.get(id);
  if (!channel) throw errors.unknownChannel();
  return channel;
}

export function requireMessage(
  state: FakeState,
  channelId: string,
  id: string,
): Writable<FakeMessage> {
  const message = state.messages.get(id);
  if (!message || message.channelId !== channelId || message.deleted) throw errors.unknownMessage();
  return message;
}

function mentionsIn(content: string, pattern: RegExp): string[] {
  return [...new Set([...content.matchAll(pattern)].map((m) => m[1] ?? ''))];
}

/** Mentioned users, narrowed by `allowed_mentions` as Discord does. */
function allowedUserMentions(content: string, allowed: unknown): string[] {
  const ids = mentionsIn(content, USER_MENTION_PATTERN);
  if (!isObject(allowed)) return ids;
  const parse = asArray(allowed.parse);
  if (parse.includes('users')) return ids;
  const users = asArray(allowed.users);
  return ids.filter((id) => users.includes(id));
}

function reference(
  state: FakeState,
  channel: FakeChannel,
  body: Json,
): FakeMessageReference | null {
  const ref = body.message_reference;
  if (!isObject(ref) || typeof ref.message_id !== 'string') return null;
  const target = state.messages.get(ref.message_id);
  const channelId = typeof ref.channel_id === 'string' ? ref.channel_id : channel.id;
  if (!target || target.channelId !== channelId || target.deleted) {
    if (ref.fail_if_not_exists === false) return null;
    const error = invalidFormBody([
      fieldError(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message'),
    ]);
    if (error) throw error;
  }
  return {
    message_id: ref.message_id,
    channel_id: channelId,
    ...(channel.guildId ? { guild_id: channel.guildId } : {}),
  };
}

export interface NewMessage {
  readonly channel: FakeChannel;
  readonly author: FakeUser;
  readonly body: Json;
  /** The request's `files[n]` uploads. */
  readonly files?: readonly UploadedFile[];
  readonly persona?: FakePersona;
  readonly interactionId?: string;
  readonly type?: number;
  /** A deferred interaction's "thinking" message: allowed to be empty. */
  readonly placeholder?: boolean;
  /** The poster's per-file upload limit, when not Discord's default (a user with Nitro). */
  readonly maxFileBytes?: number;
}

/** Validates a create body (limits, uploads, 50006 empty), stores the message and dispatches MESSAGE_CREATE. */
export function postMessage(state: FakeState, input: NewMessage): Writable<FakeMessage> {
  const { body, channel } = input;
  const attachments = resolveAttachments(state, {
    body,
    files: input.files ?? [],
    existing: [],
    ...(input.maxFileBytes === undefined ? {} : { maxFileBytes: input.maxFileBytes }),
  });
  checkMessageFields(body);
  const content = typeof body.content === 'string' ? body.content : '';
  const fields = {
    content,
    embeds: asArray(body.embeds),
    components: asArray(body.components),
    attachments,
    flags: typeof body.flags === 'number' ? body.flags : 0,
  };
  if (!input.placeholder && isEmptyMessage({ ...fields, stickers: asArray(body.sticker_ids) })) {
    throw errors.emptyMessage();
  }
  const messageReference = reference(state, channel, body);
  return state.addMessage({
    id: state.nextId(),
    channelId: channel.id,
    guildId: channel.guildId,
    type: input.type ?? (messageReference ? REPLY_TYPE : DEFAULT_TYPE),
    author: input.author,
    ...fields,
    mentionIds: allowedUserMentions(content, body.allowed_mentions),
    mentionRoleIds: mentionsIn(content, ROLE_MENTION_PATTERN),
    pings: pingsOf(content, body.allowed_mentions),
    messageReference,
    persona: input.persona ?? null,
    interactionId: input.interactionId ?? null,
    threadId: null,
    createdAt: state.now(),
    editedAt: null,
    edits: [],
    deleted: false,
  });
}

/** Applies a PATCH body and its uploads: same limits; the result must not be empty; dispatches MESSAGE_UPDATE. */
export function editMessage(
  state: FakeState,
  message: Writable<FakeMessage>,
  body: Json,
  files: readonly UploadedFile[] = [],
): Writable<FakeMessage> {
  const attachments = resolveAttachments(state, { body, files, existing: message.attachments });
  checkMessageFields(body);
  const next = {
    content:
      typeof body.content === 'string'
        ? body.content
        : body.content === null
          ? ''
          : message.content,
    embeds: body.embeds === undefined ? message.embeds : asArray(body.embeds),
    components: body.components === undefined ? message.components : asArray(body.components),
    attachments,
    flags: typeof body.flags === 'number' ? body.flags : message.flags,
  };
  if (isEmptyMessage(next)) throw errors.emptyMessage();
  const at = state.now();
  Object.assign(message, next, {
    editedAt: at,
    edits: [
      ...message.edits,
      { content: next.content, embeds: next.embeds, components: next.components, at },
    ],
  });
  if (body.content !== undefined) {
    message.mentionIds = allowedUserMentions(next.content, body.allowed_mentions);
    message.pings = mergePings(message.pings, pingsOf(next.content, body.allowed_mentions));
  }
  state.dispatch(messageEvent(state, 'MESSAGE_UPDATE', message));
  return message;
}

/** Marks a message deleted and dispatches MESSAGE_DELETE. */
export function deleteMessage(state: FakeState, message: Writable<FakeMessage>): void {
  message.deleted = true;
  const d = {
    id: message.id,
    channel_id: message.channelId,
    ...(message.guildId ? { guild_id: message.guildId } : {}),
  };
  state.dispatch({
    t: 'MESSAGE_DELETE',
    d,
    intent: messageEvent(state, 'MESSAGE_DELETE', message).intent,
    contentGated: false,
  });
}
