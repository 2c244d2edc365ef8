/** The fake workspace's state: people, conversations, messages, files and what the app did to them. */
import { FileStore } from './file-store.js';
import { addMentions, emptyMentions, listMentions, type MentionSets } from './mentions.js';
import type {
  ApiCall,
  AssistantStatus,
  EphemeralMessage,
  FakeChannel,
  FakeUser,
  PostedMessage,
  ResponseUrlPost,
  StreamState,
} from './types.js';

/** Who the bot is in this workspace. */
export interface Identity {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly botName: string;
  readonly appId: string;
}

/** A stored message; mutable inside the fake, handed out as a {@link PostedMessage} copy. */
export interface MessageRecord {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  text: string;
  blocks: unknown[] | undefined;
  readonly user: string;
  readonly isBot: boolean;
  readonly username: string | undefined;
  readonly iconUrl: string | undefined;
  readonly iconEmoji: string | undefined;
  edits: number;
  stream: StreamState;
  appends: number;
  lastStreamAt: number;
  readonly reactions: string[];
  /** Ids of the files the message carries, in the {@link Workspace.files} store. */
  readonly files: string[];
  /** Gathered by {@link noteMentions} each time the content changes. */
  readonly mentions: MentionSets;
}

const MICROS_PER_SECOND = 1_000_000;
/** Slack's ts ends in a 6-digit sequence; step so minted values look like '1712345678.000100'. */
const TS_STEP_MICROS = 100;

/** A Slack ts ('1712345678.000100') as an integer count of microseconds, for ordering. */
export function tsToMicros(ts: string): number {
  const [seconds = '0', fraction = '0'] = ts.split('.');
  return Number(seconds) * MICROS_PER_SECOND + Number(fraction.padEnd(6, '0').slice(0, 6));
}

function microsToTs(micros: number): string {
  const seconds = Math.floor(micros / MICROS_PER_SECOND);
  return `${seconds}.${String(micros % MICROS_PER_SECOND).padStart(6, '0')}`;
}

export class Workspace {
  readonly identity: Identity;
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly calls: ApiCall[] = [];
  readonly ephemerals: EphemeralMessage[] = [];
  readonly statuses: AssistantStatus[] = [];
  readonly responses: ResponseUrlPost[] = [];
  readonly files = new FileStore();
  readonly #messages = new Map<string, MessageRecord>();
  readonly #listeners = new Set<() => void>();
  #lastTsMicros = Math.floor(Date.now() / 1000) * MICROS_PER_SECOND;

  constructor(identity: Identity) {
    this.identity = identity;
  }

  /** A fresh ts, strictly after every ts the workspace has seen. */
  mintTs(): string {
    this.#lastTsMicros += TS_STEP_MICROS;
    return microsToTs(this.#lastTsMicros);
  }

  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
    this.changed();
  }

  /** Registers a conversation unless known; a `D…` id becomes a DM. */
  ensureChannel(channel: FakeChannel): FakeChannel {
    const known = this.channels.get(channel.id);
    if (known !== undefined) return known;
    this.channels.set(channel.id, channel);
    return channel;
  }

  insert(record: MessageRecord): void {
    noteMentions(record);
    this.#messages.set(`${record.channel}/${record.ts}`, record);
    this.#lastTsMicros = Math.max(this.#lastTsMicros, tsToMicros(record.ts));
    this.changed();
  }

  find(channel: string, ts: string): MessageRecord | undefined {
    return this.#messages.get(`${channel}/${ts}`);
  }

  remove(channel: string, ts: string): void {
    this.#messages.delete(`${channel}/${ts}`);
    this.changed();
  }

  /** Every message of a channel, oldest first. */
  inChannel(channel: string): MessageRecord[] {
    return [...this.#messages.values()]
      .filter((message) => message.channel === channel)
      .sort((a, b) => tsToMicros(a.ts) - tsToMicros(b.ts));
  }

  /** A thread as Slack lists it: the root first, then its replies oldest first. */
  thread(channel: string, rootTs: string): MessageRecord[] {
    return this.inChannel(channel).filter(
      (message) => message.ts === rootTs || message.threadTs === rootTs,
    );
  }

  /** The latest status the app set on a thread ('' when cleared or never set). */
  currentStatus(channel: string, threadTs: string): string {
    const last = this.statuses.findLast(
      (entry) => entry.channel === channel && entry.threadTs === threadTs,
    );
    return last?.status ?? '';
  }

  /** Slack clears an assistant thread's status when the app replies in it. */
  clearStatusOnReply(channel: string, threadTs: string | undefined): void {
    if (threadTs === undefined || this.currentStatus(channel, threadTs) === '') return;
    this.statuses.push({ channel, threadTs, status: '' });
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /** Forgets everything the app or tests did; `seed` puts back the configured people and channels. */
  clear(): void {
    this.users.clear();
    this.channels.clear();
    this.#messages.clear();
    this.calls.length = 0;
    this.ephemerals.length = 0;
    this.statuses.length = 0;
    this.responses.length = 0;
    this.files.clear();
  }
}

/** A message record with nothing edited, streamed or reacted yet. */
export function newRecord(
  fields: Pick<
    MessageRecord,
    'channel' | 'ts' | 'threadTs' | 'text' | 'blocks' | 'user' | 'isBot'
  > &
    Partial<Pick<MessageRecord, 'username' | 'iconUrl' | 'iconEmoji' | 'files'>>,
): MessageRecord {
  return {
    username: undefined,
    iconUrl: undefined,
    iconEmoji: undefined,
    files: [],
    ...fields,
    edits: 0,
    stream: 'none',
    appends: 0,
    lastStreamAt: 0,
    reactions: [],
    mentions: emptyMentions(),
  };
}

/** Adds what the record's current text and blocks mention; call after every content change. */
export function noteMentions(record: MessageRecord): void {
  addMentions(record.mentions, record.text, record.blocks);
}

/** A copy of a stored message, safe to hand to tests. */
export function snapshot(record: MessageRecord): PostedMessage {
  const { lastStreamAt: _lastStreamAt, ...visible } = record;
  return {
    ...visible,
    blocks: record.blocks === undefined ? undefined : structuredClone(record.blocks),
    reactions: [...record.reactions],
    files: [...record.files],
    mentions: listMentions(record.mentions),
  };
}
