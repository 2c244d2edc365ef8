/** Public types of the fake Slack: options, recorded state and delivery results. */

/** A workspace member the fake knows (`users.info`, mentions, `recipient_user_id`). */
export interface FakeUser {
  readonly id: string;
  readonly name: string;
  readonly realName?: string;
  readonly displayName?: string;
  readonly isBot?: boolean;
  /** Workspace admin (`users.info` → `is_admin`). */
  readonly isAdmin?: boolean;
  /** Workspace owner (`users.info` → `is_owner`; owners are admins too, as on Slack). */
  readonly isOwner?: boolean;
}

/** A conversation: `C…` public, `G…` private, `D…` a DM with `user`. */
export interface FakeChannel {
  readonly id: string;
  readonly name?: string;
  /** For a DM (`D…`): the person on the other side. */
  readonly user?: string;
  /** Whether the bot is in it (default true). A DM always has the bot in it. */
  readonly isMember?: boolean;
}

/** Token-bucket limit: `burst` calls at once, then `perSecond` refilled. */
export interface RateLimitRule {
  readonly perSecond: number;
  readonly burst: number;
  /** `channel` (default, as Slack limits chat.postMessage) or one bucket per workspace. */
  readonly scope?: 'channel' | 'workspace';
}

/** Web API methods the fake can rate-limit, with their rule. */
export type RateLimits = Readonly<Record<string, RateLimitRule>>;

/** A failure to inject into the next call of a method. */
export type InjectedFailure =
  | string
  | { readonly status: 429; readonly retryAfter: number }
  | { readonly status: 500 | 502 | 503 };

export interface FakeSlackOptions {
  readonly botToken?: string;
  /** The app-level token (`xapp-…`) that `apps.connections.open` requires, for Socket Mode. */
  readonly appToken?: string;
  /** How long a Socket Mode envelope may wait for its ack before it counts as not acked. */
  readonly socketAckTimeoutMs?: number;
  /** How often the fake pings each Socket Mode connection. */
  readonly socketPingIntervalMs?: number;
  readonly signingSecret?: string;
  readonly teamId?: string;
  readonly teamDomain?: string;
  readonly botUserId?: string;
  readonly botId?: string;
  /** The bot's own user name (`auth.test` → `user`). */
  readonly botName?: string;
  readonly appId?: string;
  readonly users?: readonly FakeUser[];
  readonly channels?: readonly FakeChannel[];
  /** Off by default, so ordinary tests never depend on timing. */
  readonly rateLimits?: RateLimits;
  /** A streaming message left without appends this long leaves the streaming state. */
  readonly streamIdleMs?: number;
  /** Time source for rate limits, stream expiry and `at` stamps (ms). Defaults to `Date.now`. */
  readonly clock?: () => number;
}

/** One Web API request as the fake saw it (token removed). */
export interface ApiCall {
  readonly method: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly at: number;
  readonly status: number;
  readonly ok: boolean;
  readonly error?: string;
}

export type StreamState = 'none' | 'streaming' | 'stopped';

/** A message as users currently see it. */
export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
  /** The thread root's ts for a reply; `undefined` for a top-level message. */
  readonly threadTs: string | undefined;
  readonly text: string;
  readonly blocks: readonly unknown[] | undefined;
  readonly user: string;
  readonly isBot: boolean;
  readonly username: string | undefined;
  readonly iconUrl: string | undefined;
  readonly iconEmoji: string | undefined;
  /** `chat.update` calls applied. */
  readonly edits: number;
  readonly stream: StreamState;
  /** `chat.appendStream` calls applied. */
  readonly appends: number;
  readonly reactions: readonly string[];
  /** Ids of the files it carries; `fake.files.uploads()` / `sharedBy()` show what they hold. */
  readonly files: readonly string[];
  /** What the message pinged or linked over its life: its post, every edit and stream append. */
  readonly mentions: SlackMentions;
}

/** The mentions Slack parsed out of a message; all empty when it notifies nobody. */
export interface SlackMentions {
  /** `here`, `channel`, `everyone`: everyone in the channel is notified. */
  readonly broadcasts: readonly string[];
  /** `U…` / `W…` ids notified. */
  readonly users: readonly string[];
  /** `S…` user-group ids notified (`<!subteam^S…>`). */
  readonly userGroups: readonly string[];
  /** `C…` channel links (they notify nobody, but are live links). */
  readonly channels: readonly string[];
}

/** A message only one person sees (`chat.postEphemeral`). */
export interface EphemeralMessage {
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  readonly threadTs: string | undefined;
  readonly blocks: readonly unknown[] | undefined;
}

/** What the app POSTed to a `response_url` the fake handed out. */
export interface ResponseUrlPost {
  readonly responseUrl: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly status: number;
  readonly at: number;
}

/** An assistant thread status as set by `assistant.threads.setStatus`. */
export interface AssistantStatus {
  readonly channel: string;
  readonly threadTs: string;
  readonly status: string;
}

/** The app's answer to a delivery (event, command, interaction). */
export interface DeliveryResult {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
  /** Slack counts a delivery as acknowledged on a 2xx within 3 seconds. */
  readonly acked: boolean;
}

export interface SendEventOptions {
  readonly eventId?: string;
  readonly retryNum?: number;
  readonly retryReason?: string;
  /** Sign with the wrong secret. */
  readonly badSignature?: boolean;
  /** Sign correctly, but with a timestamp six minutes old. */
  readonly staleTimestamp?: boolean;
}

/** The fields of a slash command; the fake fills the rest as Slack does. */
export interface SlashCommandInput {
  readonly command: string;
  readonly text?: string;
  readonly user_id: string;
  readonly channel_id: string;
  readonly user_name?: string;
  readonly channel_name?: string;
  readonly trigger_id?: string;
}

export interface CommandDeliveryResult extends DeliveryResult {
  readonly responseUrl: string;
}

/** An interactive payload (`block_actions`, `view_submission`, …): at least its `type`. */
export type InteractionPayload = { readonly type: string } & Readonly<Record<string, unknown>>;

/** Socket Mode envelope types the fake sends. */
export type SocketEnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

/** The app's answer to an envelope sent over a Socket Mode connection. */
export interface SocketDeliveryResult {
  readonly envelopeId: string;
  /** Slack counts an envelope as acknowledged when its ack arrives within 3 seconds. */
  readonly acked: boolean;
  readonly ms: number;
  /** The `payload` the app sent with its ack (`{}` for a bare ack); absent when not acked. */
  readonly ackPayload?: unknown;
}

export interface SocketCommandDeliveryResult extends SocketDeliveryResult {
  readonly responseUrl: string;
}

/** An `events_api` envelope's retry fields, and the event id it carries. */
export type SocketEventOptions = Pick<SendEventOptions, 'eventId' | 'retryNum' | 'retryReason'>;

/** How a Socket Mode connection ended, as the fake saw it. */
export interface SocketClose {
  readonly code: number;
  readonly reason: string;
}

/** A file a person attaches to a message (`fake.files.userShare`). */
export interface UserFileInput {
  readonly name: string;
  /** The content; a string is taken as UTF-8. */
  readonly bytes: Uint8Array | string;
  /** Defaults to the type Slack infers from the name's extension. */
  readonly mimetype?: string;
  /** Defaults to the name, as Slack does. */
  readonly title?: string;
}

/** A person's message with files attached: top level, in the thread `threadTs`, or a DM. */
export interface UserFileShareInput {
  readonly channel: string;
  readonly user: string;
  readonly files: readonly UserFileInput[];
  readonly text?: string;
  readonly threadTs?: string;
  /** Build the `app_mention` event (with `files`) instead of the `file_share` message event. */
  readonly mention?: boolean;
}

/** A file in the fake workspace, as a test reads it (`fake.files.uploads()` / `sharedBy()`). */
export interface FakeFile {
  /** `F…`, as `files.*` and events name it. */
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly mimetype: string;
  readonly filetype: string;
  /** Bytes stored, which is what Slack reports as `size`. */
  readonly size: number;
  readonly bytes: Buffer;
  /** Who uploaded it: the bot's user id for the app's uploads. */
  readonly user: string;
  readonly altText: string | undefined;
  /** Where it was shared; all three `undefined` while it is private (completed without a channel). */
  readonly channel: string | undefined;
  /** The message that carries it. */
  readonly ts: string | undefined;
  /** The thread root the message is in; `undefined` at top level. */
  readonly threadTs: string | undefined;
}

/** Requests for `url_private[_download]` (`fake.files.downloads()`), by whether they had the bot token. */
export interface DownloadAttempts {
  readonly authorized: number;
  /** No `Authorization: Bearer <bot token>`, or a wrong token: Slack served its sign-in page. */
  readonly unauthorized: number;
}
