import {
  type AutocompleteInteraction,
  ChannelType,
  type ChatInputCommandInteraction,
  type Interaction,
  MessageFlags,
} from 'discord.js';
import type { Roster } from '../../src/config/roster.js';
import type { CommandReply, ConversationCommands } from '../../src/core/commands.js';
import type { ThreadRef } from '../../src/core/model.js';
import type { Logger } from '../../src/log/logger.js';
import type { DiscordAccess } from './discord-access.js';
import { DISCORD_HELP_TEXT } from './discord-commands.js';
import { type DiscordRoleplay, STOP_BUTTON_ID } from './discord-roleplay.js';

export interface InteractionDeps {
  readonly commands: ConversationCommands;
  readonly roster: Roster;
  /** Where commands may be used, and who may change settings. */
  readonly gate: DiscordAccess;
  readonly logger: Logger;
  readonly roleplay?: DiscordRoleplay;
}

// Discord drops an interaction not answered within 3 s; past this, defer and answer later.
const DEFER_AFTER_MS = 2_000;
// Discord shows at most 25 autocomplete choices.
const MAX_CHOICES = 25;
const ROLEPLAY_NOT_YET =
  'Role-play is not available in this version of Parley yet: your command was received, but no dialogue was started.';

/** Answers slash commands and autocomplete; never throws. */
export async function handleInteraction(
  interaction: Interaction,
  deps: InteractionDeps,
): Promise<void> {
  try {
    if (interaction.isAutocomplete()) return await suggestAgents(interaction, deps.roster);
    if (await refused(interaction, deps.gate)) return;
    if (interaction.isButton() && interaction.customId === STOP_BUTTON_ID) {
      return await deps.roleplay?.stopButton(interaction);
    }
    if (!interaction.isChatInputCommand()) return;
    if (interaction.commandName === 'parley') {
      return await answer(interaction, () => runParley(interaction, deps));
    }
    if (interaction.commandName === 'roleplay') return await roleplay(interaction, deps.roleplay);
  } catch (error) {
    deps.logger.warn('discord interaction failed', {
      command: interactionName(interaction),
      error,
    });
    await apologize(interaction);
  }
}

/** Answers a command or button used where Parley is not enabled for this person, privately. */
async function refused(interaction: Interaction, gate: DiscordAccess): Promise<boolean> {
  if (!interaction.isRepliable()) return false;
  const refusal = gate.interactionRefusal(interaction);
  if (refusal === undefined) return false;
  await interaction.reply({
    content: refusal,
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
  return true;
}

/** Tells the person their command failed, unless they already have an answer: never silence. */
async function apologize(interaction: Interaction): Promise<void> {
  if (!interaction.isRepliable() || interaction.replied) return;
  const content = 'That did not work: something went wrong on my side. Please try again.';
  const sent = interaction.deferred
    ? interaction.editReply({ content, allowedMentions: { parse: [] } })
    : interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  await sent.catch(() => undefined);
}

type Answer = CommandReply & { readonly isPublic: boolean };

async function roleplay(
  interaction: ChatInputCommandInteraction,
  handler: DiscordRoleplay | undefined,
): Promise<void> {
  if (handler === undefined) {
    return answer(interaction, async () => ({
      ok: false,
      text: ROLEPLAY_NOT_YET,
      isPublic: false,
    }));
  }
  const text = await handler.command(interaction);
  if (text !== undefined)
    await interaction.reply({
      content: text,
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
}

async function runParley(
  interaction: ChatInputCommandInteraction,
  deps: InteractionDeps,
): Promise<Answer> {
  const where = placeOf(interaction);
  switch (interaction.options.getSubcommand(false)) {
    case 'reset': {
      if (where.conversation === undefined) {
        return {
          ok: false,
          text: '`/parley reset` works in a Parley thread or in a DM with me.',
          isPublic: false,
        };
      }
      const reply = await deps.commands.reset(where.conversation);
      return { ...reply, isPublic: reply.ok };
    }
    case 'agent': {
      const name = interaction.options.getString('name');
      if (name === null)
        return { ...(await deps.commands.showAgent(where.channel)), isPublic: false };
      const reply = await deps.commands.setAgent(
        where.channel,
        name,
        deps.gate.chooser(interaction),
      );
      return { ...reply, isPublic: reply.ok };
    }
    default:
      return { ok: true, text: `${DISCORD_HELP_TEXT}\n${deps.commands.roster()}`, isPublic: false };
  }
}

/** The conversation an interaction was used in (a thread or DM), and its channel for settings. */
function placeOf(interaction: ChatInputCommandInteraction): {
  channel: ThreadRef;
  conversation?: ThreadRef;
} {
  const workspace = interaction.guildId ?? '@me';
  const channel = interaction.channel;
  if (channel?.isThread() && channel.parentId !== null) {
    const ref: ThreadRef = {
      platform: 'discord',
      workspace,
      channel: channel.parentId,
      thread: channel.id,
    };
    return { channel: { ...ref, thread: '' }, conversation: ref };
  }
  const channelId = interaction.channelId;
  const ref: ThreadRef = { platform: 'discord', workspace, channel: channelId, thread: '' };
  if (channel?.type === ChannelType.DM || interaction.guildId === null) {
    return { channel: ref, conversation: { ...ref, thread: channelId } };
  }
  return { channel: ref };
}

/** Replies within Discord's window: at once when the work is quick, else deferred then edited. */
async function answer(
  interaction: ChatInputCommandInteraction,
  work: () => Promise<Answer>,
): Promise<void> {
  let deferral: Promise<unknown> | undefined;
  const timer = setTimeout(() => {
    deferral = interaction.deferReply({ flags: MessageFlags.Ephemeral }).catch(() => undefined);
  }, DEFER_AFTER_MS);
  const reply = await work().catch(
    (): Answer => ({
      ok: false,
      text: 'That did not work: my storage or the agent is unreachable.',
      isPublic: false,
    }),
  );
  clearTimeout(timer);
  if (deferral !== undefined) {
    await deferral;
    await interaction.editReply({ content: reply.text, allowedMentions: { parse: [] } });
    return;
  }
  await interaction.reply({
    content: reply.text,
    allowedMentions: { parse: [] },
    ...(reply.isPublic ? {} : { flags: MessageFlags.Ephemeral }),
  });
}

async function suggestAgents(interaction: AutocompleteInteraction, roster: Roster): Promise<void> {
  const typed = interaction.options.getFocused().toLowerCase();
  const choices = [...roster.values()]
    .filter(
      (profile) =>
        profile.alias.toLowerCase().includes(typed) ||
        (profile.name ?? '').toLowerCase().includes(typed),
    )
    .slice(0, MAX_CHOICES)
    .map((profile) => ({
      name: profile.name ? `${profile.alias} — ${profile.name}`.slice(0, 100) : profile.alias,
      value: profile.alias,
    }));
  await interaction.respond(choices);
}

function interactionName(interaction: Interaction): string {
  return interaction.isCommand() || interaction.isAutocomplete()
    ? interaction.commandName
    : String(interaction.type);
}
