import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isCdnRequest, serveCdn } from './cdn.js';
import { GatewayServer } from './gateway.js';
import { guildRoutes, joinGuild } from './guilds.js';
import {
  type ButtonInput,
  type SlashCommandInput,
  sendAutocomplete,
  sendButtonPress,
  sendSlashCommand,
} from './interactions.js';
import { RestServer } from './rest-server.js';
import type { RouteContext } from './router.js';
import { applicationRoutes } from './routes/applications.js';
import { channelRoutes } from './routes/channels.js';
import { interactionRoutes } from './routes/interactions.js';
import { threadRoutes } from './routes/threads.js';
import { webhookRoutes } from './routes/webhooks.js';
import { FakeState } from './state.js';
import type {
  FakeChannel,
  FakeClientOptions,
  FakeCommand,
  FakeDiscordOptions,
  FakeDownloads,
  FakeGuild,
  FakeGuildInput,
  FakeInteraction,
  FakeInteractionResponse,
  FakeMessage,
  FakeUser,
  FakeWebhook,
  InjectedFailure,
  PostedAttachment,
  RestCall,
} from './types.js';
import {
  type DirectMessageInput,
  type IncomingMessageInput,
  postedAttachments,
  postUserDm,
  postUserMessage,
} from './user-messages.js';
import { type NotYet, waitForChange } from './wait.js';

/** Fixed ids of the default world, so tests can name them. */
export const DEFAULT_IDS = {
  bot: '1100000000000000001',
  guild: '1100000000000000100',
  general: '1100000000000000200',
  alice: '1100000000000000300',
} as const;

/** Discord's values: 3 s to answer an interaction, heartbeat every 41.25 s. */
const INTERACTION_WINDOW_MS = 3_000;
const HEARTBEAT_INTERVAL_MS = 41_250;
// A ceiling, not a pace: waits end as soon as the condition holds; a loaded CI box gets room.
const DEFAULT_WAIT_MS = 15_000;

export type { DirectMessageInput, IncomingMessageInput };

/** A running fake Discord (REST v10 + Gateway v10) on 127.0.0.1. */
export class FakeDiscord {
  readonly restUrl: string;
  readonly gatewayUrl: string;
  /** Where attachment URLs point (Discord's cdn.discordapp.com). */
  readonly cdnUrl: string;

  constructor(
    private readonly state: FakeState,
    private readonly server: Server,
    private readonly rest: RestServer,
    private readonly gateway: GatewayServer,
    readonly token: string,
    port: number,
  ) {
    this.restUrl = `http://127.0.0.1:${port}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${port}`;
    this.cdnUrl = `http://127.0.0.1:${port}`;
  }

  get applicationId(): string {
    return this.state.applicationId;
  }

  get botUserId(): string {
    return this.state.botUser.id;
  }

  get botUser(): FakeUser {
    return this.state.botUser;
  }

  /** Spread into `new Client({ intents, ...fake.clientOptions() })`. */
  clientOptions(): FakeClientOptions {
    return { rest: { api: this.restUrl, version: '10' } };
  }

  guild(id: string): FakeGuild | undefined {
    return this.state.guilds.get(id);
  }

  channel(id: string): FakeChannel | undefined {
    return this.state.channels.get(id);
  }

  message(id: string): FakeMessage | undefined {
    return this.state.messages.get(id);
  }

  /** A channel's (or thread's) messages, oldest first, deleted ones left out. */
  messages(channelId: string): FakeMessage[] {
    return this.state.channelMessages(channelId);
  }

  get threadsCreated(): readonly FakeChannel[] {
    return this.state.threadsCreated;
  }

  /** Servers the bot left, in order. */
  get guildsLeft(): readonly string[] {
    return this.state.guildsLeft;
  }

  /** Someone adds the bot to a server while it is connected: GUILD_CREATE. */
  joinGuild(input: FakeGuildInput): void {
    joinGuild(this.state, input);
  }

  get interactions(): readonly FakeInteraction[] {
    return [...this.state.interactions.values()];
  }

  get interactionResponses(): readonly FakeInteractionResponse[] {
    return this.state.interactionResponses;
  }

  /** Commands from the last bulk overwrite of each scope. */
  get registeredCommands(): {
    readonly global: FakeCommand[];
    readonly guilds: Record<string, FakeCommand[]>;
  } {
    const guilds: Record<string, FakeCommand[]> = {};
    for (const command of this.state.commands) {
      if (command.guildId !== null)
        guilds[command.guildId] = [...(guilds[command.guildId] ?? []), command];
    }
    return { global: this.state.commands.filter((c) => c.guildId === null), guilds };
  }

  get webhooks(): readonly FakeWebhook[] {
    return [...this.state.webhooks.values()];
  }

  get restCalls(): readonly RestCall[] {
    return this.state.restCalls;
  }

  /** POST /channels/{id}/typing calls, in order. */
  get typing(): readonly { readonly channelId: string; readonly at: number }[] {
    return this.state.typing;
  }

  get gatewayStats(): { identifies: number; heartbeatAcks: number; liveSessions: number } {
    const { identifyCount, heartbeatAcks, liveSessions } = this.gateway;
    return { identifies: identifyCount, heartbeatAcks, liveSessions };
  }

  /** Resolves once a client has identified (or resumed) and received READY and its GUILD_CREATEs. */
  connected(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor(() => this.gateway.liveSessions > 0, timeoutMs, 'a gateway session').then(
      () => undefined,
    );
  }

  /** A user posts in a guild channel or thread, with text and/or `attachments`: MESSAGE_CREATE as Discord shapes it. */
  sendMessage(input: IncomingMessageInput): FakeMessage {
    return postUserMessage(this.state, input);
  }

  /** A user DMs the bot, with text and/or `attachments` (channel type 1; no CHANNEL_CREATE: the client needs the Channel partial). */
  sendDm(input: DirectMessageInput): FakeMessage {
    return postUserDm(this.state, input);
  }

  /** The files on a channel's or thread's live messages, oldest first: bytes, type, who posted them, CDN downloads. */
  attachments(channelId: string): PostedAttachment[] {
    return postedAttachments(this.state, channelId);
  }

  /** Attachment CDN requests answered with the bytes (`served`) or 404 (`refused`: unsigned, tampered, expired, gone). */
  get cdnStats(): FakeDownloads {
    return { ...this.state.cdn.totals };
  }

  /** A user runs a registered slash command: INTERACTION_CREATE type 2. */
  sendInteraction(input: SlashCommandInput): FakeInteraction {
    return sendSlashCommand(this.state, input);
  }

  /** A user types in an autocomplete option: INTERACTION_CREATE type 4, answered with choices (callback 8). */
  sendAutocomplete(input: SlashCommandInput & { readonly focused: string }): FakeInteraction {
    return sendAutocomplete(this.state, input);
  }

  /** A user presses a button on one of the bot's messages: INTERACTION_CREATE type 3. */
  sendButton(input: ButtonInput): FakeInteraction {
    return sendButtonPress(this.state, input);
  }

  /** Ends an interaction's response window now, as if 3 s had passed, without waiting. */
  expireInteraction(id: string): void {
    const interaction = this.state.interactions.get(id);
    if (!interaction) throw new Error(`fake-discord: no interaction ${id}`);
    interaction.expired = true;
  }

  /** Resolves with the probe's first non-empty answer, re-checking on every state change. */
  waitFor<T>(
    probe: () => T | NotYet,
    timeoutMs = DEFAULT_WAIT_MS,
    description = 'condition',
  ): Promise<T> {
    return waitForChange(this.state.events, probe, timeoutMs, description);
  }

  /** Answers the next `times` requests to a route (`'POST /channels/{channel_id}/messages'`) with a failure. */
  failNext(route: string, failure: InjectedFailure, times = 1): void {
    this.rest.failNext(route, failure, times);
  }

  /** Drops gateway sockets (e.g. 4000 to make a client resume). */
  disconnect(code = 4000, reason = 'Unknown error.'): void {
    this.gateway.disconnectAll(code, reason);
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((e) => (e ? reject(e) : resolve())),
    );
    this.state.events.removeAllListeners();
  }
}

function realisticToken(botId: string): string {
  const part = (bytes: number) => randomBytes(bytes).toString('base64url');
  return `${Buffer.from(botId).toString('base64url')}.${part(4)}.${part(28)}`;
}

/** Starts the fake on a random 127.0.0.1 port. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const botUser: FakeUser = {
    id: options.botUser?.id ?? DEFAULT_IDS.bot,
    username: options.botUser?.username ?? 'Parley',
    globalName: null,
    bot: true,
  };
  const token = options.token ?? realisticToken(botUser.id);
  const state = new FakeState(
    options.now ?? Date.now,
    botUser,
    options.applicationId ?? botUser.id,
  );
  state.events.setMaxListeners(0);
  for (const guild of options.guilds ?? [defaultGuild()]) state.addGuild(guild);
  const ctx: RouteContext = {
    state,
    interactionWindowMs: options.interactionResponseWindowMs ?? INTERACTION_WINDOW_MS,
    messageRateLimit: options.messageRateLimit,
  };
  let gatewayUrl = '';
  const gateway = new GatewayServer(state, {
    token,
    messageContentIntentEnabled: options.messageContentIntentEnabled ?? true,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS,
    url: () => gatewayUrl,
  });
  const routes = [
    ...applicationRoutes(
      ctx,
      () => gatewayUrl,
      () => gateway.identifyCount,
    ),
    ...channelRoutes(ctx),
    ...threadRoutes(ctx),
    ...webhookRoutes(ctx),
    ...interactionRoutes(ctx),
    ...guildRoutes(ctx),
  ];
  const rest = new RestServer(state, routes, token);
  const server = createServer((request, response) => {
    if (isCdnRequest(request.url)) {
      serveCdn(state, request, response);
      return;
    }
    rest.handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: `fake-discord bug: ${String(error)}`, code: 0 }));
    });
  });
  server.on('upgrade', (request, socket, head) => gateway.upgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  gatewayUrl = `ws://127.0.0.1:${port}`;
  state.cdn.origin = `http://127.0.0.1:${port}`;
  return new FakeDiscord(state, server, rest, gateway, token, port);
}

function defaultGuild() {
  return {
    id: DEFAULT_IDS.guild,
    name: 'Parley Test',
    channels: [{ id: DEFAULT_IDS.general, name: 'general' }],
    members: [{ id: DEFAULT_IDS.alice, username: 'alice', globalName: 'Alice' }],
  };
}
