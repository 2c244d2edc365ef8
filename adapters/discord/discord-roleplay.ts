import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type ChatInputCommandInteraction,
  MessageFlags,
} from 'discord.js';
import type { ConversationCommands } from '../../src/core/commands.js';
import { channelKey, type ThreadRef, threadKey } from '../../src/core/model.js';
import { roleplayFromOptions, roleplayUsage } from '../../src/roleplay/roleplay-command.js';
import type { RoleplaySetup, Stopper } from '../../src/roleplay/roleplay-engine.js';
import type { DiscordAccess } from './discord-access.js';
import { threadNameFrom } from './discord-events.js';

export const STOP_BUTTON_ID = 'roleplay_stop';
// Threads archive after a day without messages.
const THREAD_ARCHIVE_MINUTES = 1_440;

export interface DiscordRoleplayDeps {
  readonly setup: RoleplaySetup;
  readonly commands: ConversationCommands;
  /** Who is an admin (may stop anyone's play). */
  readonly gate: DiscordAccess;
}

/** `/roleplay start|stop`, the Stop button, and the Discord stage plays are performed on. */
export function createDiscordRoleplay(deps: DiscordRoleplayDeps) {
  const { engine, roster, limits } = deps.setup;
  async function start(interaction: ChatInputCommandInteraction): Promise<string | undefined> {
    const channel = interaction.channel;
    if (
      interaction.guildId === null ||
      channel === null ||
      channel.isThread() ||
      !('threads' in channel)
    ) {
      return 'Start a role-play in a server text channel: it gets a thread of its own.';
    }
    const parsed = roleplayFromOptions(
      {
        first: interaction.options.getString('first', true),
        second: interaction.options.getString('second', true),
        turns: interaction.options.getInteger('turns') ?? undefined,
        topic: interaction.options.getString('topic', true),
      },
      roster,
      limits,
    );
    if (parsed.kind !== 'start')
      return roleplayUsage(
        limits,
        deps.commands.roster(),
        parsed.kind === 'usage' ? parsed.problem : undefined,
      );
    const overLimit = await engine.startRefusal('discord', interaction.user.id);
    if (overLimit !== undefined) return overLimit;
    const names = `**${parsed.first.name ?? parsed.first.alias}** and **${parsed.second.name ?? parsed.second.alias}**`;
    const stop = new ButtonBuilder()
      .setCustomId(STOP_BUTTON_ID)
      .setLabel('Stop')
      .setStyle(ButtonStyle.Danger);
    const response = await interaction.reply({
      content: `🎭 ${names} on “${parsed.topic}” — ${parsed.turns} turns, started by <@${interaction.user.id}>.`,
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(stop)],
      allowedMentions: { parse: [] },
      withResponse: true,
    });
    const announcement = response.resource?.message;
    if (!announcement) return undefined;
    const thread = await announcement.startThread({
      name: threadNameFrom(parsed.topic),
      autoArchiveDuration: THREAD_ARCHIVE_MINUTES,
    });
    const ref: ThreadRef = {
      platform: 'discord',
      workspace: interaction.guildId,
      channel: channel.id,
      thread: thread.id,
    };
    const name =
      interaction.member && 'displayName' in interaction.member
        ? interaction.member.displayName
        : interaction.user.username;
    const started = await engine.start({
      thread: ref,
      ...parsed,
      startedBy: { id: interaction.user.id, name },
    });
    if (!started.ok) await thread.send(started.text);
    return undefined;
  }

  function stopperOf(interaction: ChatInputCommandInteraction | ButtonInteraction): Stopper {
    const name =
      interaction.member && 'displayName' in interaction.member
        ? interaction.member.displayName
        : interaction.user.username;
    return { id: interaction.user.id, name, isAdmin: deps.gate.isAdmin(interaction) };
  }

  return {
    /** Answers `/roleplay …`; resolves with a private reply, or undefined when the command answered itself. */
    async command(interaction: ChatInputCommandInteraction): Promise<string | undefined> {
      if (interaction.options.getSubcommand(false) !== 'stop') return start(interaction);
      const workspace = interaction.guildId ?? '@me';
      const channel = interaction.channel;
      const stopper = stopperOf(interaction);
      if (channel?.isThread() && channel.parentId !== null) {
        return (
          await engine.stop(
            threadKey({
              platform: 'discord',
              workspace,
              channel: channel.parentId,
              thread: channel.id,
            }),
            stopper,
          )
        ).text;
      }
      return (
        await engine.stopIn(
          channelKey({
            platform: 'discord',
            workspace,
            channel: interaction.channelId,
            thread: '',
          }),
          stopper,
        )
      ).text;
    },
    /** The Stop button on an announcement (its thread carries the announcement's id). */
    async stopButton(interaction: ButtonInteraction): Promise<void> {
      const workspace = interaction.guildId ?? '@me';
      const key = threadKey({
        platform: 'discord',
        workspace,
        channel: interaction.channelId,
        thread: interaction.message.id,
      });
      const result = await engine.stop(key, stopperOf(interaction));
      await interaction.reply({ content: result.text, flags: MessageFlags.Ephemeral });
    },
  };
}

export type DiscordRoleplay = ReturnType<typeof createDiscordRoleplay>;
