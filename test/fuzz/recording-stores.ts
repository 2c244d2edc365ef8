/** Memory stores that note every write, so a suite can prove a rejected input changed nothing. */
import { threadKey } from '../../src/core/model.js';
import { createMemoryPlayStore } from '../../src/roleplay/memory-play-store.js';
import type { PlayStore } from '../../src/roleplay/play.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import type { ConversationStore } from '../../src/store/store.js';

export interface RecordingStores {
  readonly store: ConversationStore;
  readonly plays: PlayStore;
  /** Every write so far, oldest first, as `operation key`. */
  readonly writes: readonly string[];
}

const LIMITS = { maxMessages: 50, maxChars: 32_000, ttlMs: 24 * 60 * 60 * 1000 };

/** A conversation store and a play store in memory, each write noted in `writes`. */
export function recordingStores(): RecordingStores {
  const writes: string[] = [];
  const inner = createMemoryConversationStore({ limits: LIMITS });
  const innerPlays = createMemoryPlayStore();
  const store: ConversationStore = {
    ...inner,
    claim: (key, ttlMs) => {
      writes.push(`claim ${key}`);
      return inner.claim(key, ttlMs);
    },
    append: (thread, messages) => {
      writes.push(`append ${threadKey(thread)}`);
      return inner.append(thread, messages);
    },
    clear: (thread) => {
      writes.push(`clear ${threadKey(thread)}`);
      return inner.clear(thread);
    },
    updateSettings: (scope, patch) => {
      writes.push(`settings ${scope}`);
      return inner.updateSettings(scope, patch);
    },
    takeTurn: (thread, options) => {
      writes.push(`turn ${threadKey(thread)}`);
      return inner.takeTurn(thread, options);
    },
  };
  const plays: PlayStore = {
    ...innerPlays,
    create: (play) => {
      writes.push(`play ${threadKey(play.thread)}`);
      return innerPlays.create(play);
    },
    createWithin: (play, maxRunning) => {
      writes.push(`play ${threadKey(play.thread)}`);
      return innerPlays.createWithin(play, maxRunning);
    },
    replace: (previous, next) => {
      writes.push(`play-update ${threadKey(next.thread)}`);
      return innerPlays.replace(previous, next);
    },
  };
  return { store, plays, writes };
}
