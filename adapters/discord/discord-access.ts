import {
  type APIInteractionGuildMember,
  type Channel,
  type Client,
  type Guild,
  type GuildMember,
  type Interaction,
  type Message,
  PermissionFlagsBits,
} from 'discord.js';
import type { Access } from '../../src/access/access.js';
import type { Chooser } from '../../src/access/agent-rights.js';
import type { Asker } from '../../src/access/policy.js';
import type { ThreadRef } from '../../src/core/model.js';
import type { Logger } from '../../src/log/logger.js';
import type { DiscordRoute } from './discord-events.js';

/** Discord's admins for Parley's settings: Manage Server or Manage Channels. */
const ADMIN_PERMISSIONS = [PermissionFlagsBits.ManageGuild, PermissionFlagsBits.ManageChannels];

/** Access control on Discord: who asks from where, who is an admin, and the servers Parley serves. */
export function createDiscordAccess(access: Access, logger: Logger) {
  const served = access.config.workspaces;

  async function leaveIfUnlisted(guild: Guild): Promise<void> {
    if (served === undefined || served.has(guild.id)) return;
    try {
      await guild.leave();
      logger.info('left a server not in ALLOWED_WORKSPACES', { guild: guild.id, name: guild.name });
    } catch (error) {
      logger.warn('could not leave an unlisted server', { guild: guild.id, error });
    }
  }

  function isAdmin(interaction: Interaction): boolean {
    const permissions = interaction.memberPermissions;
    const isPlatformAdmin = ADMIN_PERMISSIONS.some((bit) => permissions?.has(bit) === true);
    return access.isAdmin(interaction.user.id, isPlatformAdmin);
  }

  return {
    isAdmin,
    /**
     * True when a message may not reach an agent here: it gets no answer, and when it was for
     * Parley (not a reply in a thread Parley is not part of) it is counted and logged at info.
     */
    async refuses(
      message: Message,
      route: DiscordRoute,
      isPartOf: (thread: ThreadRef) => Promise<boolean>,
    ): Promise<boolean> {
      const asker = messageAsker(message);
      const refusal = access.refusal(asker);
      if (refusal === undefined) return false;
      const thread = threadOf(message);
      if (route.kind === 'thread-reply' && (thread === undefined || !(await isPartOf(thread))))
        return true;
      access.refuse(asker, refusal, `discord:${message.id}`);
      return true;
    },
    /** Counts the agent call a message causes; over USER_RATE_LIMIT, says so (once) and is false. */
    async isWithinLimit(message: Message, say: (text: string) => Promise<void>): Promise<boolean> {
      return access.allowsCall('discord', message.author.id, `discord:${message.id}`, say);
    },
    /** What a slash command (or button) used here is answered with when Parley is not enabled for it. */
    interactionRefusal(interaction: Interaction): string | undefined {
      return access.commandRefusal(interactionAsker(interaction));
    },
    /** The person changing a setting, with their rights. */
    chooser(interaction: Interaction): Chooser {
      return {
        platform: 'discord',
        isAdmin: isAdmin(interaction),
        isOwnDm: interaction.guildId === null,
      };
    },
    /** Leaves every server not in ALLOWED_WORKSPACES now, and each one that adds Parley later. */
    async watchServers(client: Client): Promise<void> {
      await Promise.all([...client.guilds.cache.values()].map(leaveIfUnlisted));
    },
    leaveIfUnlisted,
  };
}

export type DiscordAccess = ReturnType<typeof createDiscordAccess>;

/** Says something in reply to a message, pinging nobody (the author included). */
export function replyingTo(message: Message): (text: string) => Promise<void> {
  return async (content) => {
    await message.reply({ content, allowedMentions: { parse: [], repliedUser: false } });
  };
}

function messageAsker(message: Message): Asker {
  return {
    platform: 'discord',
    workspace: message.guildId ?? undefined,
    channels: placeOf(message.channel, message.channelId),
    userId: message.author.id,
    roleIds: rolesOf(message.member),
    isDm: message.guildId === null,
  };
}

function interactionAsker(interaction: Interaction): Asker {
  return {
    platform: 'discord',
    workspace: interaction.guildId ?? undefined,
    channels: placeOf(interaction.channel, interaction.channelId ?? ''),
    userId: interaction.user.id,
    roleIds: rolesOf(interaction.member),
    isDm: interaction.guildId === null,
  };
}

/** The conversation a message in a thread belongs to. */
function threadOf(message: Message): ThreadRef | undefined {
  const { channel } = message;
  if (!channel.isThread() || channel.parentId === null) return undefined;
  const workspace = message.guildId ?? '@me';
  return { platform: 'discord', workspace, channel: channel.parentId, thread: channel.id };
}

/** The channel and its category; a thread stands for its parent channel. */
function placeOf(channel: Channel | null, channelId: string): string[] {
  if (channel === null) return [channelId];
  if (channel.isThread())
    return [channel.parentId, channel.parent?.parentId].filter((id) => typeof id === 'string');
  const category = 'parentId' in channel ? channel.parentId : null;
  return category === null ? [channel.id] : [channel.id, category];
}

function rolesOf(member: GuildMember | APIInteractionGuildMember | null): string[] {
  if (member === null) return [];
  return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
}
