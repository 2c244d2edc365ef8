import { channelKey, threadKey } from '../core/model.js';
import type { Logger } from '../log/logger.js';
import { type CreateOutcome, type Play, type PlayStore, starterOf } from '../roleplay/play.js';
import {
  PLAY_TTL_MS,
  parseStoredPlay,
  requireSuccessor,
  toStoredPlay,
} from '../roleplay/play-input.js';
import { createRedisIo, type RedisIo } from './redis-connection.js';
import { type RedisName, redisKey } from './redis-keys.js';
import { CREATE_PLAY_SCRIPT, REPLACE_PLAY_SCRIPT } from './redis-play-scripts.js';
import { type LuaScript, runScript } from './redis-scripts.js';
import { requireName, requireTtlMs } from './store-input.js';

export interface RedisPlayStoreOptions {
  readonly url: string;
  /**
   * Put before every key, so several deployments (or test runs) can share one Redis. Required:
   * a default would let one deployment adopt another's plays.
   */
  readonly keyPrefix: string;
  /** How long a play is kept after its last write; thirty days by default. */
  readonly ttlMs?: number;
  readonly logger: Logger;
}

/** A PlayStore in Redis, shared by every instance of Parley. */
export interface RedisPlayStore extends PlayStore {
  /** Round trips to Redis so far (a script counts once). */
  readonly roundTrips: number;
  close(): Promise<void>;
}

/**
 * Creates the store; it connects in the background and reconnects by itself. Each play is a
 * hash `{thread}:play` of `version` and `data` (the play as JSON); create and replace are one
 * script each, so the play and the running sets never disagree.
 */
export function createRedisPlayStore(options: RedisPlayStoreOptions): RedisPlayStore {
  const prefix = options.keyPrefix;
  const ttlMs = requireTtlMs(options.ttlMs ?? PLAY_TTL_MS);
  const logger = options.logger.child({ store: 'plays' });
  const io = createRedisIo(options.url, logger);
  const key = (name: RedisName) => redisKey(prefix, name);
  const members = async (name: RedisName) => io.trip((client) => client.smembers(key(name)));
  const write = async (script: LuaScript, play: Play, json: string, extra: readonly string[]) => {
    const thread = threadKey(play.thread);
    const keys = [
      key({ kind: 'play', thread }),
      key({ kind: 'plays-running' }),
      key({ kind: 'plays-running-in', channel: channelKey(play.thread) }),
      key({ kind: 'plays-running-by', person: starterOf(play) }),
    ];
    const isRunning = play.status === 'running' ? '1' : '0';
    const args = [String(play.version), json, ttlMs, thread, isRunning, ...extra];
    return Number(await runScript(io, script, keys, args));
  };
  const createWithin = async (play: Play, maxRunning: number): Promise<CreateOutcome> => {
    const stored = toStoredPlay(play);
    // 0 tells the script there is no cap.
    const cap = Number.isFinite(maxRunning) ? String(Math.max(1, maxRunning)) : '0';
    const result = await write(CREATE_PLAY_SCRIPT, stored.play, stored.json, [cap]);
    return result === 1 ? 'created' : result === -1 ? 'over-limit' : 'exists';
  };
  return {
    get roundTrips() {
      return io.roundTrips;
    },
    create: async (play) => (await createWithin(play, Number.POSITIVE_INFINITY)) === 'created',
    createWithin,
    // Only plays still running: the starter's set may hold ones that lapsed meanwhile.
    runningBy: async (person) =>
      io.trip((client) =>
        client.sinter(
          key({ kind: 'plays-running-by', person: requireName(person, 'person') }),
          key({ kind: 'plays-running' }),
        ),
      ),
    get: async (thread) => readPlay(io, key, requireName(thread, 'thread key'), logger),
    async replace(previous, next) {
      const stored = toStoredPlay(next);
      requireSuccessor(previous, stored.play);
      return (
        (await write(REPLACE_PLAY_SCRIPT, stored.play, stored.json, [String(previous.version)])) ===
        1
      );
    },
    running: async () => members({ kind: 'plays-running' }),
    runningIn: async (channel) =>
      members({ kind: 'plays-running-in', channel: requireName(channel, 'channel key') }),
    close: () => io.close(),
  };
}

/** The stored play, or undefined when there is none or it is unreadable (reported, never fatal). */
async function readPlay(
  io: RedisIo,
  key: (name: RedisName) => string,
  thread: string,
  logger: Logger,
): Promise<Play | undefined> {
  const [version, data] = await io.trip((client) =>
    client.hmget(key({ kind: 'play', thread }), 'version', 'data'),
  );
  if (version === null || version === undefined) return undefined;
  const play = typeof data === 'string' ? parseStoredPlay(data) : undefined;
  // The version field and the thread must match the data: anything else is not our write.
  if (play !== undefined && String(play.version) === version && threadKey(play.thread) === thread) {
    return play;
  }
  logger.warn('stored play unreadable', { thread });
  return undefined;
}
