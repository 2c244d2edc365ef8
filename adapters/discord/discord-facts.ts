import { ChannelType, type Message } from 'discord.js';
import type { Attachment, ThreadRef } from '../../src/core/model.js';
import type { WireMessage } from '../../src/core/replies.js';
import type { DiscordMessageFacts, DiscordRoute } from './discord-events.js';
import { discordTextToMarkdown, type MentionNames } from './discord-text.js';

const THREAD_TYPES: ReadonlySet<ChannelType> = new Set([
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
]);
const TEXT_TYPES: ReadonlySet<ChannelType> = new Set([
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
]);

/** Reduces a discord.js message to the facts routing needs. */
export function factsOf(message: Message, botUserId: string): DiscordMessageFacts {
  const type = message.channel.type;
  const channelKind =
    type === ChannelType.DM
      ? 'dm'
      : THREAD_TYPES.has(type)
        ? 'thread'
        : TEXT_TYPES.has(type)
          ? 'text'
          : 'other';
  return {
    id: message.id,
    channelId: message.channelId,
    guildId: message.guildId,
    channelKind,
    parentId: 'parentId' in message.channel ? message.channel.parentId : null,
    authorId: message.author.id,
    isAuthorBot: message.author.bot,
    webhookId: message.webhookId,
    type: message.type,
    isEdit: message.editedTimestamp !== null,
    content: message.content,
    mentionsBot: message.mentions.users.has(botUserId),
  };
}

/** Display names of everyone and everything the message mentions. */
export function mentionNamesOf(message: Message): MentionNames {
  const users = new Map<string, string>();
  for (const user of message.mentions.users.values())
    users.set(user.id, user.globalName ?? user.username);
  for (const member of message.mentions.members?.values() ?? [])
    users.set(member.id, member.displayName);
  const channels = new Map<string, string>();
  for (const channel of message.mentions.channels.values()) {
    channels.set(channel.id, 'name' in channel && channel.name ? channel.name : 'channel');
  }
  const roles = new Map<string, string>();
  for (const role of message.mentions.roles.values()) roles.set(role.id, role.name);
  return { users, channels, roles };
}

/** The speaker's name as the server shows it. */
export function authorNameOf(message: Message): string {
  return message.member?.displayName ?? message.author.globalName ?? message.author.username;
}

/** A message's files as the history keeps them: where Discord finds them again, not their URL. */
export function attachmentsOf(message: Message): Attachment[] {
  return [...message.attachments.values()].map((file) =>
    discordAttachment(message.channelId, message.id, {
      id: file.id,
      name: file.name,
      size: file.size,
      contentType: file.contentType,
    }),
  );
}

/** One attachment: its reference is `channel/message/attachment` (its URL expires). */
export function discordAttachment(
  channelId: string,
  messageId: string,
  file: { id: string; name: string; size: number; contentType: string | null | undefined },
): Attachment {
  return {
    name: file.name.slice(0, 200),
    ref: `${channelId}/${messageId}/${file.id}`,
    size: file.size,
    ...(typeof file.contentType === 'string' ? { mimeType: file.contentType.slice(0, 100) } : {}),
  };
}

/** A person's Discord message as Parley's wire message, in the conversation `thread`. */
export function wireMessageOf(
  message: Message,
  thread: ThreadRef,
  route: DiscordRoute,
  botId: string,
): WireMessage {
  const text = discordTextToMarkdown(message.content, botId, mentionNamesOf(message));
  const author = { id: message.author.id, name: authorNameOf(message), isBot: false };
  return {
    thread,
    deliveryKey: `discord:${message.id}`,
    isShared: route.kind !== 'dm',
    message: {
      id: message.id,
      role: 'user',
      author,
      text,
      attachments: attachmentsOf(message),
      at: message.createdTimestamp,
    },
  };
}
