import { REST, Routes } from 'discord.js';
import { loadConfig } from '../../src/config/config.js';
import { environmentWithDotEnv } from '../../src/config/env-file.js';
import { inviteUrl, parleyCommandDefinitions } from './discord-commands.js';

/**
 * `npm run discord:register`: registers /parley and /roleplay, globally (can take up to an
 * hour to appear) or, with DISCORD_GUILD_ID, to one server (instant), then prints the invite.
 */
export async function registerDiscordCommands(
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const result = loadConfig(env);
  if (!result.ok)
    throw new Error(`fix these settings first:\n  • ${result.problems.join('\n  • ')}`);
  const discord = result.config.discord;
  if (discord === undefined)
    throw new Error(
      'DISCORD_TOKEN is not set: put the bot token from the Developer Portal in .env',
    );
  const rest = new REST({
    version: '10',
    ...(discord.apiUrl === undefined ? {} : { api: discord.apiUrl }),
  }).setToken(discord.token);
  const me = (await rest.get(Routes.user())) as { id: string };
  const route =
    discord.guildId === undefined
      ? Routes.applicationCommands(me.id)
      : Routes.applicationGuildCommands(me.id, discord.guildId);
  await rest.put(route, { body: parleyCommandDefinitions() });
  const where =
    discord.guildId === undefined
      ? 'globally (may take up to an hour to show)'
      : `to server ${discord.guildId}`;
  return `Registered /parley and /roleplay ${where}.\nInvite Parley: ${inviteUrl(me.id)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  registerDiscordCommands(environmentWithDotEnv(process.env)).then(
    (summary) => process.stdout.write(`${summary}\n`),
    (error: unknown) => {
      process.stderr.write(
        `discord:register: ${error instanceof Error ? error.message : 'failed'}\n`,
      );
      process.exit(1);
    },
  );
}
