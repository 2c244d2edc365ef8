import { EventEmitter } from 'node:events';
import { CdnLedger } from './cdn.js';
import { pingsOf } from './pings.js';
import { createSnowflakes } from './snowflake.js';
import type {
  FakeChannel,
  FakeCommand,
  FakeGuild,
  FakeGuildInput,
  FakeInteraction,
  FakeInteractionResponse,
  FakeMessage,
  FakeUser,
  FakeWebhook,
  RestCall,
} from './types.js';
import { messageEvent } from './wire.js';

/** A stored record the fake may update in place; tests see it through the readonly type. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** A gateway event and who may receive it. */
export interface GatewayEvent {
  readonly t: string;
  readonly d: Record<string, unknown>;
  /** The intent bit a session needs to receive it; null for events every session gets. */
  readonly intent: number | null;
  /** True when MESSAGE_CONTENT gates content/embeds/attachments/components. */
  readonly contentGated: boolean;
}

const EVERYONE_PERMISSIONS = '1071698660929';
/** Message flag 1 << 6: only the invoking user sees it. */
export const EPHEMERAL_FLAG = 1 << 6;

/** Everything the fake knows; REST routes and the gateway read and change it. */
export class FakeState {
  readonly users = new Map<string, FakeUser>();
  readonly guilds = new Map<string, Writable<FakeGuild>>();
  readonly members = new Map<string, { roleIds: readonly string[]; joinedAt: number }>();
  readonly channels = new Map<string, Writable<FakeChannel>>();
  readonly messages = new Map<string, Writable<FakeMessage>>();
  readonly webhooks = new Map<string, FakeWebhook>();
  readonly commands: FakeCommand[] = [];
  readonly interactions = new Map<string, Writable<FakeInteraction>>();
  readonly interactionResponses: FakeInteractionResponse[] = [];
  readonly restCalls: RestCall[] = [];
  readonly typing: { channelId: string; at: number }[] = [];
  readonly threadsCreated: FakeChannel[] = [];
  /** Servers the bot left (DELETE /users/@me/guilds/{id}), in order. */
  readonly guildsLeft: string[] = [];
  /** The attachment CDN's key, origin and download counts. */
  readonly cdn = new CdnLedger();
  readonly nextId: () => string;
  /** Emits 'change' after every mutation and 'dispatch' with a GatewayEvent. */
  readonly events = new EventEmitter();

  constructor(
    readonly now: () => number,
    readonly botUser: FakeUser,
    readonly applicationId: string,
  ) {
    this.nextId = createSnowflakes(now);
    this.users.set(botUser.id, botUser);
  }

  /** Tells waiters something changed. */
  changed(): void {
    this.events.emit('change');
  }

  dispatch(event: GatewayEvent): void {
    this.events.emit('dispatch', event);
    this.changed();
  }

  addGuild(input: FakeGuildInput): void {
    const roles = [
      { id: input.id, name: '@everyone', permissions: EVERYONE_PERMISSIONS },
      ...(input.roles ?? []),
    ];
    const memberIds = [this.botUser.id];
    for (const member of input.members ?? []) {
      this.users.set(member.id, {
        id: member.id,
        username: member.username,
        globalName: member.globalName ?? null,
        bot: member.bot ?? false,
      });
      this.members.set(`${input.id}:${member.id}`, {
        roleIds: member.roleIds ?? [],
        joinedAt: this.now(),
      });
      memberIds.push(member.id);
    }
    this.members.set(`${input.id}:${this.botUser.id}`, { roleIds: [], joinedAt: this.now() });
    const ownerId = input.members?.[0]?.id ?? this.botUser.id;
    this.guilds.set(input.id, {
      id: input.id,
      name: input.name ?? 'Parley Test',
      ownerId,
      roles,
      memberIds,
    });
    for (const channel of input.channels ?? []) {
      const type = channel.type ?? 0;
      this.channels.set(channel.id, {
        ...this.blankChannel(channel.id, type, input.id),
        name: channel.name,
        parentId: channel.parentId ?? null,
        ownerId: type === 11 || type === 12 ? ownerId : null,
      });
    }
  }

  blankChannel(
    id: string,
    type: FakeChannel['type'],
    guildId: string | null,
  ): Writable<FakeChannel> {
    return {
      id,
      type,
      name: null,
      guildId,
      parentId: null,
      ownerId: null,
      recipientIds: [],
      starterMessageId: null,
      autoArchiveDuration: 1440,
      createdAt: this.now(),
    };
  }

  /** A known user, or a plain human account made up for the id. */
  user(id: string): FakeUser {
    const known = this.users.get(id);
    if (known) return known;
    const made: FakeUser = { id, username: `user${id.slice(-4)}`, globalName: null, bot: false };
    this.users.set(id, made);
    return made;
  }

  /** The DM channel between the bot and a user, created on first use. */
  dmChannel(userId: string): Writable<FakeChannel> {
    for (const channel of this.channels.values()) {
      if (channel.type === 1 && channel.recipientIds[0] === userId) return channel;
    }
    const channel = { ...this.blankChannel(this.nextId(), 1, null), recipientIds: [userId] };
    this.channels.set(channel.id, channel);
    return channel;
  }

  isThread(channel: FakeChannel): boolean {
    return channel.type === 10 || channel.type === 11 || channel.type === 12;
  }

  /** Messages of a channel in creation order, deleted ones left out. */
  channelMessages(channelId: string): Writable<FakeMessage>[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId && !m.deleted);
  }

  lastMessageId(channelId: string): string | null {
    return this.channelMessages(channelId).at(-1)?.id ?? null;
  }

  /**
   * Stores a message and dispatches MESSAGE_CREATE, except for ephemeral ones (no one else sees
   * them). Without `pings`, the message notifies what its content mentions.
   */
  addMessage(
    input: Writable<Omit<FakeMessage, 'pings'>> & { pings?: FakeMessage['pings'] },
  ): Writable<FakeMessage> {
    const message = { ...input, pings: input.pings ?? pingsOf(input.content, undefined) };
    this.messages.set(message.id, message);
    if ((message.flags & EPHEMERAL_FLAG) === 0)
      this.dispatch(messageEvent(this, 'MESSAGE_CREATE', message));
    else this.changed();
    return message;
  }
}
