/** Messages people post, as a test makes them: text and files, in a channel, thread or DM. */
import { ATTACHMENT_LIMITS, userUploads } from './attachments.js';
import { postMessage, requireChannel } from './messaging.js';
import type { FakeState } from './state.js';
import type {
  FakeAttachment,
  FakeFileInput,
  FakeMessage,
  FakePoster,
  PostedAttachment,
} from './types.js';
import type { Json } from './validate.js';

export interface IncomingMessageInput {
  readonly channelId: string;
  readonly authorId: string;
  /** Default empty: a message may carry only attachments. */
  readonly content?: string;
  /** Prefixes `<@bot>` unless the content already mentions the bot. */
  readonly mentionsBot?: boolean;
  /** Makes the message a reply to this message (type 19 with message_reference). */
  readonly replyTo?: string;
  /** Files the user attaches (at most 10, each at most 10 MiB, as Discord allows). */
  readonly attachments?: readonly FakeFileInput[];
  /** The user has Nitro: each file may be up to 500 MiB. */
  readonly hasNitro?: boolean;
}

export interface DirectMessageInput {
  readonly userId: string;
  readonly content?: string;
  readonly attachments?: readonly FakeFileInput[];
}

/** The body and uploads a Discord client sends for text plus files. */
function withFiles(body: Json, files: readonly FakeFileInput[] | undefined) {
  if (!files?.length) return { body };
  const uploads = userUploads(files);
  return { body: { ...body, attachments: uploads.attachments }, files: uploads.files };
}

/** A user posts in a guild channel or thread: MESSAGE_CREATE as Discord shapes it. */
export function postUserMessage(state: FakeState, input: IncomingMessageInput): FakeMessage {
  const channel = requireChannel(state, input.channelId);
  const text = input.content ?? '';
  const mention = `<@${state.botUser.id}>`;
  const hasMention = text.includes(mention) || text.includes(`<@!${state.botUser.id}>`);
  const content = input.mentionsBot && !hasMention ? `${mention} ${text}` : text;
  const body = {
    content,
    ...(input.replyTo
      ? { message_reference: { message_id: input.replyTo, channel_id: channel.id } }
      : {}),
  };
  const author = state.user(input.authorId);
  const limit = input.hasNitro === true ? { maxFileBytes: ATTACHMENT_LIMITS.nitroFileBytes } : {};
  return postMessage(state, { channel, author, ...withFiles(body, input.attachments), ...limit });
}

/** A user DMs the bot (channel type 1; no CHANNEL_CREATE, as on Discord: the client needs the Channel partial). */
export function postUserDm(state: FakeState, input: DirectMessageInput): FakeMessage {
  const channel = state.dmChannel(input.userId);
  const body = { content: input.content ?? '' };
  const author = state.user(input.userId);
  return postMessage(state, { channel, author, ...withFiles(body, input.attachments) });
}

function posterOf(state: FakeState, message: FakeMessage): FakePoster {
  if (message.persona) {
    return {
      kind: 'webhook',
      webhookId: message.persona.webhookId,
      username: message.persona.username,
    };
  }
  if (message.author.id === state.botUser.id) return { kind: 'bot' };
  return { kind: 'user', userId: message.author.id };
}

/** Every attachment on the live messages of a channel or thread, oldest first, with who posted it. */
export function postedAttachments(state: FakeState, channelId: string): PostedAttachment[] {
  return state.channelMessages(channelId).flatMap((message) =>
    message.attachments.map((attachment: FakeAttachment) => ({
      ...attachment,
      messageId: message.id,
      channelId,
      postedBy: posterOf(state, message),
      downloads: state.cdn.downloads(attachment.id),
    })),
  );
}
