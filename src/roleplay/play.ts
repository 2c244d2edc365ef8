import { personKey } from '../access/person.js';
import type { ThreadRef } from '../core/model.js';

/** One of the two agents in a role-play, as it is shown. */
export interface Actor {
  readonly agentId: string;
  readonly name: string;
  readonly avatarUrl?: string;
}

/** A line of the dialogue: an actor's (0 or 1) or a person's interjection. */
export type Line =
  | { readonly kind: 'actor'; readonly actor: 0 | 1; readonly text: string; readonly at: number }
  | {
      readonly kind: 'human';
      readonly id: string;
      readonly author: { readonly id: string; readonly name: string };
      readonly text: string;
      readonly at: number;
    };

export type PlayStatus = 'running' | 'done' | 'stopped' | 'failed';

/** A role-play as stored: advanced one turn at a time, resumable by any process. */
export interface Play {
  /** The thread the dialogue is staged in; its key identifies the play. */
  readonly thread: ThreadRef;
  readonly cast: readonly [Actor, Actor];
  readonly topic: string;
  readonly maxTurns: number;
  /** Actor lines posted so far; the next speaker is `cast[turn % 2]`. */
  readonly turn: number;
  readonly status: PlayStatus;
  /** Why it ended, for the closing line (set with the status). */
  readonly endReason?: string;
  readonly transcript: readonly Line[];
  readonly startedBy: { readonly id: string; readonly name: string };
  readonly startedAt: number;
  /** Bumped on every write; a write based on an older version is refused (compare-and-set). */
  readonly version: number;
}

/** What storing a new play did: stored, refused (the thread has one), or over the starter's count. */
export type CreateOutcome = 'created' | 'exists' | 'over-limit';

/** Where role-plays are kept (Redis, or memory for one process). */
export interface PlayStore {
  /** Stores a new play; false when the thread already has one. */
  create(play: Play): Promise<boolean>;
  /**
   * Stores a new play unless the thread has one, or its starter already has `maxRunning` plays
   * running (ROLEPLAY_MAX_PER_USER): the count and the write are one step, in every process.
   */
  createWithin(play: Play, maxRunning: number): Promise<CreateOutcome>;
  /** Keys of the running plays a person started (`personKey`). */
  runningBy(person: string): Promise<readonly string[]>;
  get(threadKey: string): Promise<Play | undefined>;
  /**
   * Writes `next` (whose version must be `previous.version + 1`) only if the stored version is
   * still `previous.version`; false when another writer got there first.
   */
  replace(previous: Play, next: Play): Promise<boolean>;
  /** Keys of the plays still running (to resume after a restart). */
  running(): Promise<readonly string[]>;
  /** The running play in a channel, if any (for `/roleplay stop` typed in the channel). */
  runningIn(channelKey: string): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** Whom a play counts against (ROLEPLAY_MAX_PER_USER, USER_RATE_LIMIT): the person who started it. */
export function starterOf(play: Play): string {
  return personKey(play.thread.platform, play.startedBy.id);
}
