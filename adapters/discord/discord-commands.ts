import { PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';

/** Who sees `/parley` in a server by default: members with Manage Channels (Discord's default_member_permissions). */
export const PARLEY_COMMAND_PERMISSIONS = PermissionFlagsBits.ManageChannels;

/** `/parley help | reset | agent [name]` and `/roleplay`, as registered with Discord. */
export function parleyCommandDefinitions() {
  const parley = new SlashCommandBuilder()
    .setName('parley')
    .setDescription('Parley: help, reset this conversation, or show/set the channel agent')
    // It changes how a channel behaves (its agent, a shared thread's memory): shown by default
    // to members who manage channels; a server may open it to everyone (Integrations), and DMs
    // are everyone's. Parley checks the agent choice itself whatever the server allows.
    .setDefaultMemberPermissions(PARLEY_COMMAND_PERMISSIONS)
    .addSubcommand((sub) => sub.setName('help').setDescription('How to talk to the agents'))
    .addSubcommand((sub) =>
      sub.setName('reset').setDescription('Forget this conversation (in a Parley thread or DM)'),
    )
    .addSubcommand((sub) =>
      sub
        .setName('agent')
        .setDescription("Show this channel's agent, or set it")
        .addStringOption((option) =>
          option
            .setName('name')
            .setDescription('Alias from the roster or an agent id')
            .setAutocomplete(true)
            .setMaxLength(200),
        ),
    );
  const roleplay = new SlashCommandBuilder()
    .setName('roleplay')
    .setDescription('Stage a dialogue between two agents')
    .addSubcommand((sub) =>
      sub
        .setName('start')
        .setDescription('Start a dialogue between two agents in a new thread')
        .addStringOption((option) =>
          option
            .setName('first')
            .setDescription('First agent')
            .setRequired(true)
            .setAutocomplete(true)
            .setMaxLength(200),
        )
        .addStringOption((option) =>
          option
            .setName('second')
            .setDescription('Second agent')
            .setRequired(true)
            .setAutocomplete(true)
            .setMaxLength(200),
        )
        .addStringOption((option) =>
          option
            .setName('topic')
            .setDescription('What they talk about')
            .setRequired(true)
            .setMaxLength(500),
        )
        .addIntegerOption((option) =>
          option
            .setName('turns')
            .setDescription('How many lines in all')
            .setMinValue(1)
            .setMaxValue(200),
        ),
    )
    .addSubcommand((sub) => sub.setName('stop').setDescription('Stop the role-play running here'));
  return [parley.toJSON(), roleplay.toJSON()];
}

/** Exactly what Parley needs in a server: read, answer, open and post in threads, files, personas. */
export const INVITE_PERMISSIONS =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.CreatePublicThreads |
  PermissionFlagsBits.ReadMessageHistory |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ManageWebhooks;

/** The link that adds Parley to a server, with its scopes and permissions. */
export function inviteUrl(applicationId: string): string {
  const query = new URLSearchParams({
    client_id: applicationId,
    scope: 'bot applications.commands',
    permissions: INVITE_PERMISSIONS.toString(),
  });
  return `https://discord.com/oauth2/authorize?${query.toString()}`;
}

export const DISCORD_HELP_TEXT = [
  '**Parley** connects this server to Mistral agents.',
  '• Mention me in a channel: I open a thread on your message and answer there. Keep talking in the thread without mentioning me.',
  '• DM me for a private conversation.',
  '• `/parley agent` shows which agent answers in this channel; `/parley agent name:<alias|id>` changes it.',
  '• `/parley reset` in a Parley thread or DM forgets the conversation so far.',
  '• `/roleplay start` stages a dialogue between two agents in a new thread; `/roleplay stop` (or its Stop button) ends it.',
].join('\n');
