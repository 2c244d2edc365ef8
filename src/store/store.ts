import type { Message, ThreadRef } from '../core/model.js';

/** How much history a thread keeps (DESIGN §3: bounded list + TTL). */
export interface HistoryLimits {
  /** Oldest messages beyond this count are dropped. */
  readonly maxMessages: number;
  /**
   * Oldest messages are dropped until what they send together (text, speaker header and
   * attachment lines: `sentChars`) fits this many characters. The newest always stays: alone
   * over it, it is cut to it with a note at the cut and marked (`isTruncated`).
   */
  readonly maxChars: number;
  /** A thread untouched this long is forgotten. */
  readonly ttlMs: number;
}

/** A thread's standing with Parley. */
export interface ThreadState {
  /** Parley answers follow-ups here without a mention. */
  readonly isJoined: boolean;
  /** Nothing said at or before this time (ms) belongs to the conversation any more. */
  readonly resetAt: number | undefined;
  /** Messages the agent refused for good: never sent again, even when the thread is read again. */
  readonly refused: readonly string[];
}

/** Per-scope settings (a scope is a thread key or a channel key). */
export interface ScopeSettings {
  /** Agent that answers in this scope instead of the default. */
  readonly agentId?: string;
}

/** A patch: a string sets a field, `null` removes it. */
export type SettingsPatch = { readonly [K in keyof ScopeSettings]?: string | null };

/** The right to answer in one thread; held (and renewed) until released. */
export interface Turn {
  /** Aborted when the turn was lost (the lease could not be renewed); stop writing then. */
  readonly signal: AbortSignal;
  /**
   * Leaves the thread's line: the next taker goes. With `answer` (the lines an answer adds),
   * appends them to the thread's history (as `append`) in the same step, before leaving: the
   * next taker reads them, and no round trip stands between the answer and the next turn. When
   * they cannot be written, the line is left all the same and the error is thrown.
   */
  release(answer?: readonly Message[]): Promise<void>;
  /**
   * Stops holding without leaving (work handed to another process): the place stays first in
   * line, and lapses unless a retry adopts it with `takeTurn({ place })` within a lease.
   */
  abandon(): void;
}

export interface TakeTurnOptions {
  /** Gives up waiting (rejects) when aborted; the place in the queue is freed. */
  readonly signal?: AbortSignal;
  /**
   * A place taken earlier by `admit` (or left by `abandon`): the taker stands there instead of
   * joining the end of the line. A place that lapsed meanwhile joins the end.
   */
  readonly place?: string;
  /**
   * The admission of `place`, sent just before and not yet answered: a place not found in the
   * line is only joined at the end once admitted; a duplicate's (false) rejects instead.
   */
  readonly admitted?: Promise<boolean>;
}

/** Conversation state: history, settings, delivery dedupe and turn-taking. */
/** When `appendIf` writes: every condition given must hold. */
export interface AppendCondition {
  /** The history has begun (a first mention mid-thread brings the thread so far first). */
  readonly ifStarted?: boolean;
  /**
   * This place (a token from `admit`) is first in the thread's line: its turn has come, so no
   * earlier message still waits for its answer to be recorded.
   */
  readonly whileFirst?: string;
}

/** What else one admission does. */
export interface AdmitOptions {
  /** Parley takes part in the thread from now on (a mention): `joinThread` in the same step. */
  readonly join?: boolean;
  /**
   * The place's token, chosen by the caller (a UUID): work on the place (`appendIf`,
   * `takeTurn`) can then be sent before the admission is answered.
   */
  readonly place?: string;
  /**
   * Written with the admission, in the same step and only when the message is admitted: the
   * entry another worker takes the answer over from should this process die (the here-first
   * ledger, see queue/work-state.ts). No crash can then fall between admitting a message and
   * making it recoverable, and the platform can be acknowledged as soon as the admission is.
   * Only a store that shares Redis with the queue keeps receipts.
   */
  readonly receipt?: AdmitReceipt;
}

/** A ledger entry written by an admission (see `AdmitOptions.receipt`). */
export interface AdmitReceipt {
  readonly jobId: string;
  /** The job as another worker would queue it, serialized. */
  readonly job: string;
  /** When it comes due (ms since the epoch) unless the process answering it pushes it back. */
  readonly dueAt: number;
}

export interface ConversationStore {
  /** True exactly once for a key within `ttlMs`; every later claim of the key is false. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** True while a claim of the key holds (it was claimed, and its window has not ended). */
  isClaimed(key: string): Promise<boolean>;
  /** Appends, trims to the limits, refreshes the TTL, and returns the kept history, atomically. */
  append(thread: ThreadRef, messages: readonly Message[]): Promise<readonly Message[]>;
  /**
   * Like `append`, but only when the condition holds; otherwise nothing is written and the result
   * is undefined. One round trip where checking first and then appending would be two.
   */
  appendIf(
    thread: ThreadRef,
    messages: readonly Message[],
    condition: AppendCondition,
  ): Promise<readonly Message[] | undefined>;
  history(thread: ThreadRef): Promise<readonly Message[]>;
  historyLength(thread: ThreadRef): Promise<number>;
  /** Forgets the thread's history (a conversation reset). */
  clear(thread: ThreadRef): Promise<void>;
  /**
   * Removes these messages from the thread's history (a message the agent refused for good) and
   * remembers their ids, so reading the thread again (backfill) does not bring them back.
   */
  forget(thread: ThreadRef, messageIds: readonly string[]): Promise<void>;
  /** What Parley knows of a thread beyond its history; reading it keeps it as long as the history. */
  threadState(thread: ThreadRef): Promise<ThreadState>;
  /** Parley takes part in the thread from now on (a mention, a DM): a fact kept with the history's TTL. */
  joinThread(thread: ThreadRef): Promise<void>;
  /**
   * Starts the conversation afresh: forgets the history, records the cut-off `at` (ms) that
   * reading the thread again must respect, and keeps Parley in the thread.
   */
  resetThread(thread: ThreadRef, at: number): Promise<void>;
  /** Settings of each scope, in the order asked, in one round trip. */
  settings(scopes: readonly string[]): Promise<readonly ScopeSettings[]>;
  updateSettings(scope: string, patch: SettingsPatch): Promise<ScopeSettings>;
  /**
   * Claims `claimKey` (as `claim` does) and only when it is new takes a place in the thread's
   * turn line at once, before the work travels anywhere: the line keeps arrival order whichever
   * process answers. The place is kept until a taker adopts it (`takeTurn({ place })`) or lapses
   * on its own after the store's place hold; undefined for a duplicate. With `join`, Parley
   * also joins the thread (as `joinThread`) in the same step, new message or not.
   */
  admit(
    thread: ThreadRef,
    claimKey: string,
    claimTtlMs: number,
    options?: AdmitOptions,
  ): Promise<string | undefined>;
  /** Undoes an admit whose work could not be queued: a redelivery is new again, the place leaves. */
  withdraw(thread: ThreadRef, claimKey: string, place: string): Promise<void>;
  /**
   * Waits until every earlier taker of this thread's turn is done, then holds the turn.
   * Arrival order is the order of calls; a taker that dies is skipped once its lease lapses.
   */
  takeTurn(thread: ThreadRef, options?: TakeTurnOptions): Promise<Turn>;
  /** True when the backing store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
