import { type REST, Routes } from 'discord.js';
import { fetchFile } from '../../src/core/fetch-file.js';
import type { Message, Persona } from '../../src/core/model.js';
import { FILE_LIMITS } from '../../src/core/prepare-files.js';
import type { ReplyPort, ReplyTarget } from '../../src/core/replies.js';
import { ParleyError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';
import { routeDiscordMessage } from './discord-events.js';
import { discordAttachment } from './discord-facts.js';
import { acknowledgeInDiscord, createDiscordReplySink } from './discord-reply.js';
import { discordTextToMarkdown } from './discord-text.js';
import { createPersonaWebhooks } from './discord-webhooks.js';

// Discord's largest page of messages per request.
const CONTEXT_MAX_MESSAGES = 100;
/** How many of a thread's newest messages a mid-thread mention brings (as on Slack; the store trims further). */
export const CONTEXT_MAX_LINES = 2 * CONTEXT_MAX_MESSAGES;

interface ApiUser {
  readonly id: string;
  readonly username: string;
  readonly global_name?: string | null;
  readonly bot?: boolean;
}
interface ApiAttachment {
  readonly id: string;
  readonly filename: string;
  readonly size: number;
  readonly url: string;
  readonly content_type?: string;
}

interface ApiMessage {
  readonly id: string;
  readonly channel_id: string;
  readonly type: number;
  readonly content: string;
  readonly author: ApiUser;
  readonly webhook_id?: string;
  readonly timestamp: string;
  readonly mentions?: readonly ApiUser[];
  readonly attachments?: readonly ApiAttachment[];
}

/** A Discord reply target: the thread or DM channel, and a persona for role-play lines. */
export function discordTarget(channelId: string, persona?: Persona): ReplyTarget {
  const address: Record<string, string> = { channelId };
  if (persona !== undefined) address.personaName = persona.name;
  if (persona?.avatarUrl !== undefined) address.personaAvatar = persona.avatarUrl;
  return { platform: 'discord', address };
}

/** Replies and thread reading over Discord's REST API: works in any process, gateway or not. */
export function createDiscordReplyPort(rest: REST, logger: Logger): ReplyPort {
  let me: Promise<ApiUser> | undefined;
  const bot = (): Promise<ApiUser> => {
    me ??= rest.get(Routes.user()) as Promise<ApiUser>;
    return me;
  };
  const webhooks = createPersonaWebhooks(rest, async () => (await bot()).id);
  return {
    platform: 'discord',
    sink(target, context) {
      const { channelId = '', personaName, personaAvatar } = target.address;
      const persona =
        personaName === undefined
          ? undefined
          : {
              name: personaName,
              ...(personaAvatar === undefined ? {} : { avatarUrl: personaAvatar }),
            };
      return createDiscordReplySink(
        { rest, webhooks },
        { channelId, ...(persona === undefined ? {} : { persona }) },
        context,
      );
    },
    acknowledge: (target) => acknowledgeInDiscord(rest, target.address.channelId ?? ''),
    async readFile(_target, attachment, signal) {
      // The message gives the file's current URL: attachment URLs are signed and expire.
      const [channelId = '', messageId = '', fileId = ''] = attachment.ref.split('/');
      if (![channelId, messageId, fileId].every(isSnowflake))
        throw new ParleyError('PLATFORM_UNAVAILABLE', 'not a Discord file reference');
      const message = (await rest.get(Routes.channelMessage(channelId, messageId))) as ApiMessage;
      const file = message.attachments?.find((item) => item.id === fileId);
      if (file === undefined) throw new ParleyError('PLATFORM_UNAVAILABLE', 'the file is gone');
      return fetchFile(file.url, attachment.name, {
        maxBytes: FILE_LIMITS.maxBytes,
        ...(signal === undefined ? {} : { signal }),
      });
    },
    targetFor(thread, persona) {
      return discordTarget(thread.thread, persona);
    },
    async say(target, text) {
      const body = { content: text, allowed_mentions: { parse: [] } };
      await rest.post(Routes.channelMessages(target.address.channelId ?? ''), { body });
    },
    async postedAfter(target, afterId) {
      const channelId = target.address.channelId ?? '';
      const self = await bot();
      const query = new URLSearchParams({ after: afterId, limit: String(CONTEXT_MAX_MESSAGES) });
      const page = (await rest.get(Routes.channelMessages(channelId), { query })) as ApiMessage[];
      return page
        .filter((message) => message.author.id === self.id && message.webhook_id === undefined)
        .map((message) => message.id)
        .sort(compareSnowflakes);
    },
    async context(target) {
      const channelId = target.address.channelId ?? '';
      try {
        const self = await bot();
        // Pages come newest first: each next one is the page before the oldest seen so far.
        const messages: ApiMessage[] = [];
        while (messages.length < CONTEXT_MAX_LINES) {
          const oldest = messages.at(-1)?.id;
          const query = new URLSearchParams({ limit: String(CONTEXT_MAX_MESSAGES) });
          if (oldest !== undefined) query.set('before', oldest);
          const page = (await rest.get(Routes.channelMessages(channelId), {
            query,
          })) as ApiMessage[];
          messages.push(...[...page].sort((a, b) => compareSnowflakes(b.id, a.id)));
          if (page.length < CONTEXT_MAX_MESSAGES) break;
        }
        return messages
          .sort((a, b) => compareSnowflakes(a.id, b.id))
          .flatMap((message) => lineOf(message, self));
      } catch (error) {
        logger.warn('thread context not loaded', { channel: channelId, error });
        return [];
      }
    },
  };
}

function lineOf(message: ApiMessage, bot: ApiUser): Message[] {
  const at = Date.parse(message.timestamp);
  if (message.author.id === bot.id) {
    const author = { id: bot.id, name: bot.global_name ?? bot.username, isBot: true };
    return [
      { id: message.id, role: 'assistant', author, text: message.content, attachments: [], at },
    ];
  }
  const route = routeDiscordMessage(factsOf(message, bot.id), bot.id);
  if (route.kind === 'ignored' && route.reason !== 'not-addressed') return [];
  const users = new Map(
    (message.mentions ?? []).map((user) => [user.id, user.global_name ?? user.username]),
  );
  const text = discordTextToMarkdown(message.content, bot.id, {
    users,
    channels: new Map(),
    roles: new Map(),
  });
  const author = {
    id: message.author.id,
    name: message.author.global_name ?? message.author.username,
    isBot: false,
  };
  const attachments = (message.attachments ?? []).map((file) =>
    discordAttachment(message.channel_id, message.id, {
      id: file.id,
      name: file.filename,
      size: file.size,
      contentType: file.content_type,
    }),
  );
  return [{ id: message.id, role: 'user', author, text, attachments, at }];
}

function factsOf(message: ApiMessage, botId: string) {
  return {
    id: message.id,
    channelId: message.channel_id,
    guildId: null,
    channelKind: 'thread' as const,
    parentId: null,
    authorId: message.author.id,
    isAuthorBot: message.author.bot === true,
    webhookId: message.webhook_id ?? null,
    type: message.type,
    isEdit: false,
    content: message.content,
    mentionsBot: (message.mentions ?? []).some((user) => user.id === botId),
  };
}

function isSnowflake(value: string): boolean {
  return /^\d{15,21}$/.test(value);
}

/** Snowflakes grow with time (and within a millisecond): their order is the messages' order. */
function compareSnowflakes(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
