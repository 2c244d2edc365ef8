import { channelKey, threadKey } from '../core/model.js';
import { requireName, requireTtlMs } from '../store/store-input.js';
import { type CreateOutcome, type Play, type PlayStore, starterOf } from './play.js';
import { PLAY_TTL_MS, requireSuccessor, toStoredPlay } from './play-input.js';

export interface MemoryPlayStoreOptions {
  /** How long a play is kept after its last write; thirty days by default. */
  readonly ttlMs?: number;
  /** The clock the TTL is measured on (tests move it by hand). */
  readonly now?: () => number;
}

interface StoredPlay {
  readonly play: Play;
  readonly expiresAt: number;
}

/** A PlayStore held in this process: for one instance, development and tests. */
export function createMemoryPlayStore(options: MemoryPlayStoreOptions = {}): PlayStore {
  const ttlMs = requireTtlMs(options.ttlMs ?? PLAY_TTL_MS);
  const now = options.now ?? Date.now;
  const plays = new Map<string, StoredPlay>();

  // Expired plays are dropped when met, so a long-running process forgets finished ones.
  const live = (): Play[] => {
    const kept: Play[] = [];
    for (const [key, stored] of plays) {
      if (stored.expiresAt > now()) kept.push(stored.play);
      else plays.delete(key);
    }
    return kept;
  };
  const find = (key: string): Play | undefined => {
    const stored = plays.get(key);
    if (stored === undefined || stored.expiresAt > now()) return stored?.play;
    plays.delete(key);
    return undefined;
  };
  const save = (play: Play) =>
    plays.set(threadKey(play.thread), { play, expiresAt: now() + ttlMs });
  const runningKeys = (isWanted: (play: Play) => boolean) =>
    live()
      .filter((play) => play.status === 'running' && isWanted(play))
      .map((play) => threadKey(play.thread));

  const createWithin = async (play: Play, maxRunning: number): Promise<CreateOutcome> => {
    const stored = toStoredPlay(play).play;
    if (find(threadKey(stored.thread)) !== undefined) return 'exists';
    const starter = starterOf(stored);
    if (runningKeys((running) => starterOf(running) === starter).length >= maxRunning)
      return 'over-limit';
    save(stored);
    return 'created';
  };

  return {
    close: async () => {},
    create: async (play) => (await createWithin(play, Number.POSITIVE_INFINITY)) === 'created',
    createWithin,
    runningBy: async (person) =>
      runningKeys((play) => starterOf(play) === requireName(person, 'person')),
    get: async (key) => find(requireName(key, 'thread key')),
    async replace(previous, next) {
      const stored = toStoredPlay(next).play;
      requireSuccessor(previous, stored);
      if (find(threadKey(stored.thread))?.version !== previous.version) return false;
      save(stored);
      return true;
    },
    running: async () => runningKeys(() => true),
    async runningIn(channel) {
      requireName(channel, 'channel key');
      return runningKeys((play) => channelKey(play.thread) === channel);
    },
  };
}
