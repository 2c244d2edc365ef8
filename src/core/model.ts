/** The shared conversation model every adapter normalizes into (DESIGN §3). */

export type Platform = 'slack' | 'discord' | 'console';

/** Where a conversation lives: one Slack thread, Discord thread or DM, or console session. */
export interface ThreadRef {
  readonly platform: Platform;
  readonly workspace: string;
  readonly channel: string;
  readonly thread: string;
}

export type Role = 'user' | 'assistant';

export interface Author {
  readonly id: string;
  readonly name: string;
  readonly isBot: boolean;
}

/**
 * A file a person attached, as the history keeps it: the platform's own reference to it (a Slack
 * file id, a Discord channel/message/attachment path), never its bytes or a private URL.
 */
export interface Attachment {
  readonly name: string;
  /** How the platform finds the file again; empty when it cannot (then the file is named only). */
  readonly ref: string;
  readonly mimeType?: string;
  /** Bytes, as the platform reported them. */
  readonly size?: number;
}

/** A file's bytes, as read from the platform or the agent's files. */
export interface FileBytes {
  readonly name: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

/** Reads an attached file's bytes from its platform (with the bot's credentials). */
export type FileReader = (attachment: Attachment, signal?: AbortSignal) => Promise<FileBytes>;

/** One line of a conversation as stored and sent to the agent. */
export interface Message {
  readonly id: string;
  readonly role: Role;
  readonly author: Author;
  /** Plain Markdown, platform mentions already resolved to display names. */
  readonly text: string;
  readonly attachments: readonly Attachment[];
  /** Epoch milliseconds. */
  readonly at: number;
}

/** What an adapter hands the dispatcher for one human message. */
export interface IncomingMessage {
  readonly thread: ThreadRef;
  /** Stable per platform message, used to answer each message once however often it is delivered. */
  readonly deliveryKey: string;
  readonly message: Message;
  /** True where several people talk in one thread, so user lines carry the speaker's name. */
  readonly isShared: boolean;
  /** The thread so far, for a mention mid-thread; read only when Parley has no history yet. */
  readonly loadContext?: () => Promise<readonly Message[]>;
  /** Reads the files people attached in this thread, for the agent to see them. */
  readonly readFile?: FileReader;
}

/** A name and avatar a reply is posted under (role-play). */
export interface Persona {
  readonly name: string;
  readonly avatarUrl?: string;
}

/**
 * Where one reply goes. The adapter owns rendering, throttling and splitting;
 * the dispatcher only reports progress.
 */
export interface ReplySink {
  /** Shows that work is under way (typing, status, placeholder). */
  start(): Promise<void>;
  /** Adds streamed text to the reply. */
  append(delta: string): Promise<void>;
  /**
   * Shows what the agent is doing while no text comes (a tool running, e.g. "Searching the
   * web…"), or clears it (`undefined`). Never part of the answer.
   */
  activity(label: string | undefined): Promise<void>;
  /** Uploads a file into the thread, beside the reply (an image, a plot, a code run). */
  attach(file: OutgoingFile): Promise<void>;
  /**
   * The rest of the answer is another agent's (a handoff): what was said so far is finished,
   * and what follows is posted under `persona`, after one short marker line.
   */
  handOff(persona: Persona): Promise<void>;
  /** The reply is complete: flush what is pending. */
  finish(): Promise<void>;
  /** Replaces the reply with one short notice for the person (never a stack trace). */
  fail(notice: string): Promise<void>;
}

/** A file a reply uploads into the thread; `index` counts the reply's files from 0 (retries). */
export interface OutgoingFile extends FileBytes {
  readonly index: number;
  /** A short title where the platform shows one. */
  readonly title?: string;
}

export interface ReplyOptions {
  readonly persona?: Persona;
}

const KEY_SEPARATOR = ':';

/** The stable string key of a thread, e.g. `slack:T1:C9:1712345678.000100`. */
export function threadKey(ref: ThreadRef): string {
  return [ref.platform, ref.workspace, ref.channel, ref.thread].join(KEY_SEPARATOR);
}

/** The key of the channel a thread sits in, for channel-wide settings. */
export function channelKey(ref: ThreadRef): string {
  return [ref.platform, ref.workspace, ref.channel].join(KEY_SEPARATOR);
}
