import type { Message as DiscordMessage, ThreadChannel } from 'discord.js';
import type { Message } from '../../src/core/model.js';
import type { Logger } from '../../src/log/logger.js';
import { routeDiscordMessage } from './discord-events.js';
import { attachmentsOf, authorNameOf, factsOf, mentionNamesOf } from './discord-facts.js';
import { discordTextToMarkdown } from './discord-text.js';

// One page of messages (Discord's maximum per request): enough to follow a thread, one call.
const CONTEXT_MAX_MESSAGES = 100;

/** Reads a thread once as conversation lines, oldest first; [] when it cannot. */
export async function loadDiscordThread(
  thread: ThreadChannel,
  bot: { readonly id: string; readonly name: string },
  logger: Logger,
): Promise<Message[]> {
  try {
    const page = await thread.messages.fetch({ limit: CONTEXT_MAX_MESSAGES });
    const ordered = [...page.values()].sort((a, b) => compareSnowflakes(a.id, b.id));
    return ordered.flatMap((message) => lineOf(message, bot));
  } catch (error) {
    logger.warn('thread context not loaded', { thread: thread.id, error });
    return [];
  }
}

function lineOf(
  message: DiscordMessage,
  bot: { readonly id: string; readonly name: string },
): Message[] {
  const at = message.createdTimestamp;
  if (message.author.id === bot.id) {
    const author = { id: bot.id, name: bot.name, isBot: true };
    return [
      { id: message.id, role: 'assistant', author, text: message.content, attachments: [], at },
    ];
  }
  const route = routeDiscordMessage({ ...factsOf(message, bot.id), isEdit: false }, bot.id);
  if (route.kind === 'ignored' && route.reason !== 'not-addressed') return [];
  const text = discordTextToMarkdown(message.content, bot.id, mentionNamesOf(message));
  const author = { id: message.author.id, name: authorNameOf(message), isBot: false };
  return [{ id: message.id, role: 'user', author, text, attachments: attachmentsOf(message), at }];
}

/** Snowflakes grow with time (and within a millisecond): their order is the messages' order. */
function compareSnowflakes(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
