import { attachmentUrls } from './cdn.js';
import { INTENTS } from './intents.js';
import type { FakeState, GatewayEvent } from './state.js';
import type {
  FakeAttachment,
  FakeChannel,
  FakeCommand,
  FakeGuild,
  FakeMessage,
  FakeUser,
  FakeWebhook,
} from './types.js';

/** Builders for Discord's JSON shapes (API v10) from the fake's records. */

const iso = (ms: number): string => new Date(ms).toISOString();

export function userPayload(user: FakeUser): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.globalName,
    avatar: null,
    public_flags: 0,
    ...(user.bot ? { bot: true } : {}),
  };
}

/** A guild member; `withUser` false gives the partial member MESSAGE_CREATE carries. */
export function memberPayload(
  state: FakeState,
  guildId: string,
  userId: string,
  withUser = true,
): Record<string, unknown> | undefined {
  const member = state.members.get(`${guildId}:${userId}`);
  if (!member) return undefined;
  return {
    ...(withUser ? { user: userPayload(state.user(userId)) } : {}),
    roles: member.roleIds,
    joined_at: iso(member.joinedAt),
    nick: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
  };
}

function threadFields(state: FakeState, channel: FakeChannel): Record<string, unknown> {
  const count = state.channelMessages(channel.id).length;
  return {
    parent_id: channel.parentId,
    owner_id: channel.ownerId,
    message_count: count,
    total_message_sent: count,
    member_count: 1,
    thread_metadata: {
      archived: false,
      auto_archive_duration: channel.autoArchiveDuration,
      archive_timestamp: iso(channel.createdAt),
      locked: false,
      create_timestamp: iso(channel.createdAt),
    },
  };
}

export function channelPayload(state: FakeState, channel: FakeChannel): Record<string, unknown> {
  const common = {
    id: channel.id,
    type: channel.type,
    last_message_id: state.lastMessageId(channel.id),
    flags: 0,
  };
  if (channel.type === 1) {
    return { ...common, recipients: channel.recipientIds.map((id) => userPayload(state.user(id))) };
  }
  const guildCommon = {
    ...common,
    guild_id: channel.guildId,
    name: channel.name,
    rate_limit_per_user: 0,
  };
  if (state.isThread(channel)) return { ...guildCommon, ...threadFields(state, channel) };
  return {
    ...guildCommon,
    position: 0,
    permission_overwrites: [],
    parent_id: channel.parentId,
    topic: null,
    nsfw: false,
  };
}

/** GUILD_CREATE's payload: the guild with its channels, active threads, roles and members. */
export function guildCreatePayload(state: FakeState, guild: FakeGuild): Record<string, unknown> {
  const channels = [...state.channels.values()].filter((c) => c.guildId === guild.id);
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    preferred_locale: 'en-US',
    features: [],
    emojis: [],
    stickers: [],
    roles: guild.roles.map((role, position) => ({
      ...role,
      position,
      color: 0,
      hoist: false,
      managed: false,
      mentionable: false,
      flags: 0,
    })),
    joined_at: iso(state.now()),
    large: false,
    unavailable: false,
    member_count: guild.memberIds.length,
    members: guild.memberIds.map((id) => memberPayload(state, guild.id, id)),
    channels: channels.filter((c) => !state.isThread(c)).map((c) => channelPayload(state, c)),
    threads: channels.filter((c) => state.isThread(c)).map((c) => channelPayload(state, c)),
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

function authorPayload(message: FakeMessage): Record<string, unknown> {
  if (!message.persona) return userPayload(message.author);
  return {
    id: message.persona.webhookId,
    username: message.persona.username,
    avatar: null,
    discriminator: '0000',
    global_name: null,
    bot: true,
  };
}

/** An attachment object with freshly signed CDN URLs; `width`/`height` only for images. */
export function attachmentPayload(
  state: FakeState,
  channelId: string,
  attachment: FakeAttachment,
): Record<string, unknown> {
  return {
    id: attachment.id,
    filename: attachment.filename,
    ...(attachment.title === null ? {} : { title: attachment.title }),
    ...(attachment.description === null ? {} : { description: attachment.description }),
    content_type: attachment.contentType,
    size: attachment.size,
    ...attachmentUrls(state, channelId, attachment),
    ...(attachment.width === null ? {} : { width: attachment.width, height: attachment.height }),
  };
}

/** A message object as REST returns it; `depth` stops referenced_message recursing. */
export function messagePayload(
  state: FakeState,
  message: FakeMessage,
  depth = 0,
): Record<string, unknown> {
  const referenced =
    message.messageReference && state.messages.get(message.messageReference.message_id);
  const thread = message.threadId ? state.channels.get(message.threadId) : undefined;
  const interaction = message.interactionId
    ? state.interactions.get(message.interactionId)
    : undefined;
  return {
    id: message.id,
    type: message.type,
    channel_id: message.channelId,
    author: authorPayload(message),
    content: message.content,
    timestamp: iso(message.createdAt),
    edited_timestamp: message.editedAt === null ? null : iso(message.editedAt),
    tts: false,
    mention_everyone: false,
    mentions: message.mentionIds.map((id) => userPayload(state.user(id))),
    mention_roles: message.mentionRoleIds,
    attachments: message.attachments.map((a) => attachmentPayload(state, message.channelId, a)),
    embeds: message.embeds,
    components: message.components,
    pinned: false,
    flags: message.flags,
    ...(message.persona ? { webhook_id: message.persona.webhookId } : {}),
    ...(message.messageReference
      ? { message_reference: { type: 0, ...message.messageReference } }
      : {}),
    ...(message.messageReference && depth === 0
      ? { referenced_message: referenced ? messagePayload(state, referenced, 1) : null }
      : {}),
    ...(thread ? { thread: channelPayload(state, thread) } : {}),
    ...(interaction
      ? {
          application_id: state.applicationId,
          webhook_id: state.applicationId,
          interaction_metadata: {
            id: interaction.id,
            type: interaction.type,
            user: userPayload(state.user(interaction.userId)),
            authorizing_integration_owners: interaction.guildId ? { '0': interaction.guildId } : {},
          },
        }
      : {}),
  };
}

const CONTENT_FIELDS = { content: '', embeds: [], attachments: [], components: [] } as const;

/** MESSAGE_CREATE / MESSAGE_UPDATE as the gateway sends it, with routing facts for intents. */
export function messageEvent(state: FakeState, t: string, message: FakeMessage): GatewayEvent {
  const channel = state.channels.get(message.channelId);
  const base = messagePayload(state, message);
  const member =
    message.guildId && !message.persona
      ? memberPayload(state, message.guildId, message.author.id, false)
      : undefined;
  const d = {
    ...base,
    channel_type: channel?.type ?? 0,
    ...(message.guildId ? { guild_id: message.guildId } : {}),
    ...(member ? { member } : {}),
  };
  const isDm = message.guildId === null;
  const exempt =
    isDm || message.author.id === state.botUser.id || message.mentionIds.includes(state.botUser.id);
  return {
    t,
    d,
    intent: isDm ? INTENTS.directMessages : INTENTS.guildMessages,
    contentGated: !exempt,
  };
}

/** What a session without MESSAGE_CONTENT sees of a gated message. */
export function withoutContent(d: Record<string, unknown>): Record<string, unknown> {
  return { ...d, ...CONTENT_FIELDS };
}

export function webhookPayload(state: FakeState, webhook: FakeWebhook): Record<string, unknown> {
  return {
    id: webhook.id,
    type: 1,
    guild_id: webhook.guildId,
    channel_id: webhook.channelId,
    name: webhook.name,
    avatar: webhook.avatar,
    token: webhook.token,
    application_id: state.applicationId,
    user: userPayload(state.botUser),
  };
}

export function commandPayload(command: FakeCommand): Record<string, unknown> {
  return {
    ...command.raw,
    id: command.id,
    application_id: command.applicationId,
    version: command.id,
    type: command.type,
    name: command.name,
    description: command.description,
    options: command.options,
    default_member_permissions: command.raw.default_member_permissions ?? null,
    nsfw: false,
    ...(command.guildId ? { guild_id: command.guildId } : {}),
  };
}
