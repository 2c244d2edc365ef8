/** Discord channel types this fake models (GUILD_TEXT, DM, GUILD_ANNOUNCEMENT, threads). */
export type FakeChannelType = 0 | 1 | 5 | 10 | 11 | 12;

/** A user or bot account. */
export interface FakeUser {
  readonly id: string;
  readonly username: string;
  readonly globalName: string | null;
  readonly bot: boolean;
}

export interface FakeRole {
  readonly id: string;
  readonly name: string;
  /** Permission bitfield as a decimal string, as on the wire. */
  readonly permissions: string;
}

export interface FakeGuild {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly roles: readonly FakeRole[];
  readonly memberIds: readonly string[];
}

export interface FakeChannel {
  readonly id: string;
  readonly type: FakeChannelType;
  readonly name: string | null;
  readonly guildId: string | null;
  /** The text channel a thread lives in. */
  readonly parentId: string | null;
  readonly ownerId: string | null;
  /** DM recipients (the other party; the bot is implied). */
  readonly recipientIds: readonly string[];
  /** For a thread started from a message: that message (its id is also the thread's id). */
  readonly starterMessageId: string | null;
  readonly autoArchiveDuration: number;
  readonly createdAt: number;
}

/** The display identity a webhook message was posted under (role-play personas). */
export interface FakePersona {
  readonly webhookId: string;
  readonly username: string;
  readonly avatarUrl: string | null;
}

export interface FakeEdit {
  readonly content: string;
  readonly embeds: readonly unknown[];
  readonly components: readonly unknown[];
  readonly at: number;
}

export interface FakeMessageReference {
  readonly message_id: string;
  readonly channel_id: string;
  readonly guild_id?: string;
}

/** A message as the fake stores it; `edits` lists every accepted PATCH, oldest first. */
export interface FakeMessage {
  readonly id: string;
  readonly channelId: string;
  readonly guildId: string | null;
  /** 0 DEFAULT, 19 REPLY, 20 CHAT_INPUT_COMMAND. */
  readonly type: number;
  readonly author: FakeUser;
  readonly content: string;
  readonly embeds: readonly unknown[];
  readonly components: readonly unknown[];
  readonly attachments: readonly FakeAttachment[];
  readonly flags: number;
  readonly mentionIds: readonly string[];
  readonly mentionRoleIds: readonly string[];
  /** Who the message notified over its life (create and every edit), by `allowed_mentions`. */
  readonly pings: FakePings;
  readonly messageReference: FakeMessageReference | null;
  readonly persona: FakePersona | null;
  /** The interaction this message answers, if any. */
  readonly interactionId: string | null;
  readonly threadId: string | null;
  readonly createdAt: number;
  readonly editedAt: number | null;
  readonly edits: readonly FakeEdit[];
  readonly deleted: boolean;
}

/** A file on a message, with its bytes; the wire object's `url`s are signed when it is served. */
export interface FakeAttachment {
  readonly id: string;
  /** Discord's sanitized name (whitespace becomes `_`); `title` keeps the original when other characters were dropped. */
  readonly filename: string;
  readonly title: string | null;
  readonly description: string | null;
  readonly contentType: string;
  readonly size: number;
  /** Pixel size, for PNG, GIF and JPEG images; null otherwise. */
  readonly width: number | null;
  readonly height: number | null;
  readonly data: Buffer;
}

/** A file a test's user attaches (`sendMessage` / `sendDm`); `contentType` defaults by extension. */
export interface FakeFileInput {
  readonly name: string;
  readonly data: Buffer | Uint8Array | string;
  readonly contentType?: string;
  readonly description?: string;
}

/** Who posted an attachment: the bot, the bot through a webhook under a username, or a user. */
export type FakePoster =
  | { readonly kind: 'bot' }
  | { readonly kind: 'webhook'; readonly webhookId: string; readonly username: string }
  | { readonly kind: 'user'; readonly userId: string };

/** CDN downloads of one attachment (or of all): answered with the bytes, or refused with 404. */
export interface FakeDownloads {
  readonly served: number;
  readonly refused: number;
}

/** An attachment on a live message of a channel or thread, as `fake.attachments(channelId)` lists it. */
export interface PostedAttachment extends FakeAttachment {
  readonly messageId: string;
  readonly channelId: string;
  readonly postedBy: FakePoster;
  readonly downloads: FakeDownloads;
}

/** Whom a message notifies: `@everyone`/`@here`, users and roles. */
export interface FakePings {
  readonly everyone: boolean;
  readonly users: readonly string[];
  readonly roles: readonly string[];
}

export interface FakeWebhook {
  readonly id: string;
  readonly token: string;
  readonly channelId: string;
  readonly guildId: string;
  readonly name: string;
  readonly avatar: string | null;
}

export interface FakeCommand {
  readonly id: string;
  readonly applicationId: string;
  readonly guildId: string | null;
  readonly name: string;
  readonly description: string;
  readonly type: number;
  readonly options: readonly unknown[];
  /** The command as the application sent it. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One accepted interaction callback (POST /interactions/{id}/{token}/callback). */
export interface FakeInteractionResponse {
  readonly interactionId: string;
  /** 4 CHANNEL_MESSAGE_WITH_SOURCE, 5 DEFERRED…, 6 DEFERRED_UPDATE_MESSAGE, 7 UPDATE_MESSAGE, 9 MODAL. */
  readonly type: number;
  readonly data: Readonly<Record<string, unknown>> | null;
  readonly at: number;
}

/** An interaction the fake created for the app to answer. */
export interface FakeInteraction {
  readonly id: string;
  readonly token: string;
  /** 2 APPLICATION_COMMAND, 3 MESSAGE_COMPONENT, 4 APPLICATION_COMMAND_AUTOCOMPLETE. */
  readonly type: 2 | 3 | 4;
  readonly channelId: string;
  readonly guildId: string | null;
  readonly userId: string;
  /** For a component interaction: the message the component is on. */
  readonly messageId: string | null;
  readonly createdAt: number;
  /** The message @original refers to, once the app has answered with one. */
  readonly responseMessageId: string | null;
  readonly acknowledged: boolean;
  readonly expired: boolean;
}

/** One HTTP request the fake answered; `path` drops the `/api/v10` prefix. */
export interface RestCall {
  readonly method: string;
  readonly path: string;
  /** The matched route template, e.g. `POST /channels/{channel_id}/messages`; null when none. */
  readonly route: string | null;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The `files[n]` parts of a multipart/form-data request (absent for JSON bodies). */
  readonly files?: readonly {
    readonly field: string;
    readonly filename: string;
    readonly size: number;
  }[];
  readonly status: number;
  readonly at: number;
}

/** A failure `failNext` injects in place of the route's real answer. */
export type InjectedFailure =
  | {
      readonly status: 429;
      /** Seconds, as in Discord's `retry_after`. */
      readonly retryAfter: number;
      readonly global?: boolean;
      readonly scope?: 'user' | 'global' | 'shared';
    }
  | { readonly status: 500 | 502 | 503 | 504 };

export interface FakeMemberInput {
  readonly id: string;
  readonly username: string;
  readonly globalName?: string;
  readonly bot?: boolean;
  readonly roleIds?: readonly string[];
}

export interface FakeChannelInput {
  readonly id: string;
  readonly name: string;
  /** Default 0 (GUILD_TEXT); 11/12 make an active thread under `parentId`. */
  readonly type?: FakeChannelType;
  readonly parentId?: string;
}

export interface FakeGuildInput {
  readonly id: string;
  readonly name?: string;
  readonly channels?: readonly FakeChannelInput[];
  readonly members?: readonly FakeMemberInput[];
  readonly roles?: readonly FakeRole[];
}

/** A fixed-window limit: `limit` requests per `windowMs` per bucket. */
export interface RateLimitRule {
  readonly limit: number;
  readonly windowMs: number;
}

export interface FakeDiscordOptions {
  /** The bot token the fake accepts (without the `Bot ` prefix). */
  readonly token?: string;
  readonly applicationId?: string;
  readonly botUser?: { readonly id: string; readonly username: string };
  /** Default: one guild with a #general text channel and one member, alice. */
  readonly guilds?: readonly FakeGuildInput[];
  /** The MESSAGE_CONTENT privileged intent toggle in the developer portal; default true. */
  readonly messageContentIntentEnabled?: boolean;
  /** Discord gives an app 3 s to answer an interaction; tests may shorten or lengthen it. */
  readonly interactionResponseWindowMs?: number;
  /** HELLO's heartbeat_interval; Discord sends 41 250. */
  readonly heartbeatIntervalMs?: number;
  /** Per-channel message-create limit (Discord's is 5 per 5 s); default: no limit. */
  readonly messageRateLimit?: RateLimitRule;
  /** The clock used for interaction windows, rate limits and timestamps. */
  readonly now?: () => number;
}

/** Options for `new Client(...)` that point discord.js at the fake. */
export interface FakeClientOptions {
  readonly rest: { readonly api: string; readonly version: '10' };
}
