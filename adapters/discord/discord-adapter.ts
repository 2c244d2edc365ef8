import {
  Client,
  Events,
  GatewayIntentBits,
  type Message,
  Partials,
  REST,
  type ThreadChannel,
} from 'discord.js';
import type { Access } from '../../src/access/access.js';
import type { DiscordConfig } from '../../src/config/config.js';
import type { Roster } from '../../src/config/roster.js';
import { setBounded } from '../../src/core/bounded-map.js';
import type { ConversationCommands } from '../../src/core/commands.js';
import { type Persona, type ReplySink, type ThreadRef, threadKey } from '../../src/core/model.js';
import { noticeFor } from '../../src/core/notices.js';
import { isPartOf } from '../../src/core/participation.js';
import type { Inbox, ReplyPort } from '../../src/core/replies.js';
import { isResetWord, resetFromMessage } from '../../src/core/reset-word.js';
import type { PlatformHealth, PlatformStatus } from '../../src/http/health.js';
import type { Logger } from '../../src/log/logger.js';
import type { RoleplaySetup } from '../../src/roleplay/roleplay-engine.js';
import type { ConversationStore } from '../../src/store/store.js';
import { createDiscordAccess, replyingTo } from './discord-access.js';
import { inviteUrl } from './discord-commands.js';
import { type DiscordRoute, routeDiscordMessage, threadNameFrom } from './discord-events.js';
import { factsOf, mentionNamesOf, wireMessageOf } from './discord-facts.js';
import { handleInteraction } from './discord-interactions.js';
import { createDiscordReplyPort, discordTarget } from './discord-port.js';
import { createDiscordRoleplay, type DiscordRoleplay } from './discord-roleplay.js';
import { discordTextToMarkdown } from './discord-text.js';

export interface DiscordAdapterDeps {
  /** Where each person's message goes: answered in this process, or queued for a worker. */
  readonly inbox: Inbox;
  readonly commands: ConversationCommands;
  readonly store: ConversationStore;
  readonly roster: Roster;
  /** Who may use Parley here, and how much: checked before anything is stored. */
  readonly access: Access;
  readonly logger: Logger;
  readonly roleplay?: RoleplaySetup;
}

export interface DiscordAdapter extends PlatformHealth {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The invite link, once connected. */
  inviteUrl(): string | undefined;
  /** A reply in a thread under a persona's name and avatar (role-play), through the channel webhook. */
  personaSink(threadId: string, persona: Persona): ReplySink;
  /** Posting replies over REST: what a worker needs, with or without the gateway. */
  readonly port: ReplyPort;
}

/** The REST client every Discord process posts with. */
export function discordRest(config: DiscordConfig): REST {
  return new REST({
    version: '10',
    ...(config.apiUrl === undefined ? {} : { api: config.apiUrl }),
  }).setToken(config.token);
}

const BASE_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
];
// Discord's close code for a privileged intent the application was not granted.
const DISALLOWED_INTENTS_CLOSE_CODE = 4014;
// Threads archive after a day without messages; a conversation resumes them on reply.
const THREAD_ARCHIVE_MINUTES = 1_440;
// Discord answers 160004 when a thread already exists for the message (a redelivery).
const THREAD_ALREADY_EXISTS = 160004;
// Conversation threads remembered (see conversationThreads); past this the oldest is forgotten.
const MOST_CONVERSATION_THREADS = 50_000;
export const MESSAGE_CONTENT_HELP =
  'The Message Content intent is not enabled: Parley only sees mentions and DMs, not follow-ups in threads. Enable it at https://discord.com/developers/applications → your app → Bot → Privileged Gateway Intents → Message Content Intent, then restart Parley.';

/** Discord through discord.js: mentions open threads, follow-ups and DMs are answered, streamed. */
export function createDiscordAdapter(
  config: DiscordConfig,
  deps: DiscordAdapterDeps,
): DiscordAdapter {
  const log = deps.logger.child({ platform: 'discord' });
  let client: Client | undefined;
  let status: PlatformStatus = { state: 'connecting' };
  let hasMessageContent = true;
  const port = createDiscordReplyPort(discordRest(config), log);
  const gate = createDiscordAccess(deps.access, log);
  // Threads this process opened for a conversation: no role-play runs in them, so a message
  // there needs no play looked up.
  const conversationThreads = new Map<string, true>();
  const roleplay: DiscordRoleplay | undefined =
    deps.roleplay === undefined
      ? undefined
      : createDiscordRoleplay({
          setup: deps.roleplay,
          commands: deps.commands,
          gate,
        });

  function newClient(withContent: boolean): Client {
    const created = new Client({
      intents: withContent ? [...BASE_INTENTS, GatewayIntentBits.MessageContent] : BASE_INTENTS,
      partials: [Partials.Channel],
      allowedMentions: { parse: [] },
      // Internal sharding: one process runs every shard; a message two sessions deliver is
      // answered once (the delivery key is the message id).
      ...(config.shards === 'auto'
        ? { shards: 'auto' as const }
        : {
            shards: Array.from({ length: config.shards }, (_, shard) => shard),
            shardCount: config.shards,
          }),
      ...(config.apiUrl === undefined ? {} : { rest: { api: config.apiUrl } }),
    });
    created.on(Events.MessageCreate, (message) => {
      void onMessage(created, message).catch((error: unknown) =>
        log.error('discord message failed', { error }),
      );
    });
    created.on(Events.InteractionCreate, (interaction) => {
      void handleInteraction(interaction, {
        commands: deps.commands,
        roster: deps.roster,
        gate,
        logger: log,
        ...(roleplay === undefined ? {} : { roleplay }),
      });
    });
    created.on(Events.GuildCreate, (guild) => void gate.leaveIfUnlisted(guild));
    created.on(Events.ShardDisconnect, () => {
      status = { state: 'disconnected', detail: 'Discord gateway disconnected' };
    });
    created.on(Events.ShardReconnecting, () => {
      status = { state: 'connecting' };
    });
    created.on(Events.ShardResume, () => {
      status = connectedStatus();
    });
    created.on(Events.Error, (error) => log.error('discord client error', { error }));
    return created;
  }

  function connectedStatus(): PlatformStatus {
    return hasMessageContent
      ? { state: 'connected' }
      : { state: 'degraded', detail: MESSAGE_CONTENT_HELP };
  }

  async function onMessage(self: Client, message: Message): Promise<void> {
    const botId = self.user?.id;
    if (botId === undefined) return;
    const route = routeDiscordMessage(factsOf(message, botId), botId);
    if (route.kind === 'ignored') return;
    if (await gate.refuses(message, route, (thread) => isPartOf(deps.store, thread))) return;
    // Over the limit, the notice replies to the message (a mention then opens no thread).
    const isOpening = route.kind === 'open-thread';
    if (isOpening && !(await gate.isWithinLimit(message, replyingTo(message)))) return;
    const place = await conversationOf(message, route);
    if (place === undefined) return;
    const incoming = wireMessageOf(message, place.ref, route, botId);
    const key = threadKey(place.ref);
    // A thread Parley opened for a conversation holds no role-play (a play opens its own).
    if (isOpening) setBounded(conversationThreads, key, true, MOST_CONVERSATION_THREADS);
    // In a role-play thread a person's message is heard by the next speaker, not answered.
    const mayBePlay = route.kind !== 'dm' && !conversationThreads.has(key);
    if (mayBePlay && (await deps.roleplay?.engine.interject(place.ref, incoming.message))) return;
    if (route.kind === 'thread-reply' && !(await isPartOf(deps.store, place.ref))) return;
    // Without the Message Content intent a follow-up arrives empty: nothing to answer.
    if (incoming.message.text === '' && incoming.message.attachments.length === 0) return;
    // "reset" alone, in a Parley thread or a DM, forgets it: no command (or permission) needed.
    if (route.kind !== 'open-thread' && isResetWord(incoming.message.text))
      return resetFromMessage(deps.store, deps.commands, incoming, (text) =>
        port.say(discordTarget(place.channel.id), text),
      );
    if (!isOpening && !(await gate.isWithinLimit(message, replyingTo(message)))) return;
    const withContext = route.kind === 'thread-mention';
    // Asked in (a mention opening a thread, or one inside a thread): follow-ups are answered.
    const joins = route.kind !== 'dm' && route.kind !== 'thread-reply';
    const target = discordTarget(place.channel.id);
    await deps.inbox
      .submit({ incoming, target, withContext, joins })
      .catch(async (error: unknown) => {
        // The gateway does not redeliver: say so in the thread rather than drop the message silently.
        log.error('discord message not taken', { error });
        await port.sink(target).fail(noticeFor('STORE_UNAVAILABLE'));
      });
  }

  async function conversationOf(message: Message, route: DiscordRoute) {
    const workspace = message.guildId ?? '@me';
    if (route.kind === 'dm') {
      if (!message.channel.isSendable()) return undefined;
      const ref: ThreadRef = {
        platform: 'discord',
        workspace,
        channel: message.channelId,
        thread: message.channelId,
      };
      return { ref, channel: message.channel };
    }
    const thread = route.kind === 'open-thread' ? await openThread(message) : message.channel;
    if (!thread.isThread() || thread.parentId === null) return undefined;
    const ref: ThreadRef = {
      platform: 'discord',
      workspace,
      channel: thread.parentId,
      thread: thread.id,
    };
    return { ref, channel: thread };
  }

  /** The thread on a mention: opened now, or (on a redelivery) the one already opened. */
  async function openThread(message: Message): Promise<ThreadChannel> {
    try {
      return await message.startThread({
        name: threadNameFrom(
          discordTextToMarkdown(message.content, client?.user?.id ?? '', mentionNamesOf(message)),
        ),
        autoArchiveDuration: THREAD_ARCHIVE_MINUTES,
      });
    } catch (error) {
      if (!isDiscordCode(error, THREAD_ALREADY_EXISTS)) throw error;
      const existing = await message.client.channels.fetch(message.id);
      if (existing?.isThread()) return existing;
      throw error;
    }
  }

  async function login(withContent: boolean): Promise<Client> {
    const created = newClient(withContent);
    let closeCode: number | undefined;
    created.on(Events.ShardDisconnect, (event) => {
      closeCode ??= event.code;
    });
    const ready = new Promise<void>((resolve) => created.once(Events.ClientReady, () => resolve()));
    try {
      await created.login(config.token);
      await ready;
      return created;
    } catch (error) {
      await created.destroy();
      throw closeCode === undefined ? error : new GatewayClosed(closeCode, { cause: error });
    }
  }

  function personaSink(threadId: string, persona: Persona): ReplySink {
    return port.sink(discordTarget(threadId, persona));
  }

  return {
    platform: 'discord',
    status: () => status,
    inviteUrl: () =>
      client?.user ? inviteUrl(client.application?.id ?? client.user.id) : undefined,
    async start() {
      try {
        client = await login(true);
      } catch (error) {
        if (!(error instanceof GatewayClosed && error.code === DISALLOWED_INTENTS_CLOSE_CODE)) {
          status = {
            state: 'disconnected',
            detail: 'DISCORD_TOKEN was refused or Discord is unreachable',
          };
          throw error;
        }
        log.warn('discord message content intent missing', { help: MESSAGE_CONTENT_HELP });
        hasMessageContent = false;
        client = await login(false);
      }
      status = connectedStatus();
      await gate.watchServers(client);
      log.info('discord connected', { user: client.user?.tag, invite: this.inviteUrl() });
    },
    personaSink,
    port,
    async stop() {
      await client?.destroy();
      status = { state: 'disconnected' };
    },
  };
}

class GatewayClosed extends Error {
  constructor(
    readonly code: number,
    options: ErrorOptions,
  ) {
    super(`Discord gateway closed with ${code}`, options);
    this.name = 'GatewayClosed';
  }
}

function isDiscordCode(error: unknown, code: number): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
