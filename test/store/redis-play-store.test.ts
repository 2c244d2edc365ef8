import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { channelKey, threadKey } from '../../src/core/model.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import { redisKey } from '../../src/store/redis-keys.js';
import {
  createRedisPlayStore,
  type RedisPlayStore,
  type RedisPlayStoreOptions,
} from '../../src/store/redis-play-store.js';
import {
  describePlayStoreContract,
  nextTurn,
  samplePlay,
} from '../roleplay/play-store.contract.js';
import { deleteKeys, rawRedis, redisUrl, uniqueKeyPrefix } from '../setup/redis.js';
import { threadRef } from '../support/messages.js';

const prefixes: string[] = [];
const opened: RedisPlayStore[] = [];

function openStore(overrides: Partial<RedisPlayStoreOptions> = {}): RedisPlayStore {
  const keyPrefix = overrides.keyPrefix ?? uniqueKeyPrefix();
  prefixes.push(keyPrefix);
  const store = createRedisPlayStore({
    url: redisUrl(),
    logger: silentLogger,
    ...overrides,
    keyPrefix,
  });
  opened.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
});

describePlayStoreContract('redis play store', () => openStore());

describe('redis play store', () => {
  const ttlMs = 60_000;

  it('sets the ttl on the play and the running sets on every write', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const store = openStore({ keyPrefix, ttlMs });
    const play = samplePlay();
    const redis = rawRedis();
    const keys = [
      redisKey(keyPrefix, { kind: 'play', thread: threadKey(play.thread) }),
      redisKey(keyPrefix, { kind: 'plays-running' }),
      redisKey(keyPrefix, { kind: 'plays-running-in', channel: channelKey(play.thread) }),
    ];

    await store.create(play);
    const afterCreate = await Promise.all(keys.map((key) => redis.pttl(key)));
    await redis.persist(keys[0] ?? '');
    await store.replace(play, nextTurn(play));
    const afterReplace = await redis.pttl(keys[0] ?? '');
    await redis.quit();

    for (const pttl of [...afterCreate, afterReplace]) {
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(ttlMs);
    }
  });

  it('creates and replaces in one round trip each', async () => {
    const store = openStore();
    const warmUp = samplePlay(threadRef('warm-up'));
    await store.create(warmUp);
    await store.replace(warmUp, nextTurn(warmUp));
    const play = samplePlay();

    const beforeCreate = store.roundTrips;
    await store.create(play);
    const beforeReplace = store.roundTrips;
    await store.replace(play, nextTurn(play));

    expect(beforeReplace - beforeCreate).toBe(1);
    expect(store.roundTrips - beforeReplace).toBe(1);
  });

  it.each([
    ['text that is not json', { version: '1', data: 'not json' }],
    ['json that is not a play', { version: '1', data: '{"thread":1}' }],
    [
      'a version field that disagrees with the data',
      { version: '7', data: JSON.stringify(samplePlay()) },
    ],
    ['no data', { version: '1' }],
  ])('reads a stored play with %s as absent and reports it', async (_, fields) => {
    const keyPrefix = uniqueKeyPrefix();
    const warn = vi.fn();
    const logger: Logger = { ...silentLogger, warn, child: () => logger };
    const store = openStore({ keyPrefix, logger });
    const play = samplePlay();
    const redis = rawRedis();
    await redis.hset(redisKey(keyPrefix, { kind: 'play', thread: threadKey(play.thread) }), fields);
    await redis.quit();

    const read = await store.get(threadKey(play.thread));

    expect(read).toBeUndefined();
    expect(warn).toHaveBeenCalledWith('stored play unreadable', { thread: threadKey(play.thread) });
    const other = samplePlay(threadRef('other'));
    expect(await store.create(other)).toBe(true);
    expect(await store.get(threadKey(other.thread))).toEqual(other);
  });

  it('lets one of two processes win a replace from the same version', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const [one, two] = [openStore({ keyPrefix }), openStore({ keyPrefix })];
    const play = samplePlay();
    await one.create(play);

    const answers = await Promise.all([
      one.replace(play, nextTurn(play, { topic: 'one' })),
      two.replace(play, nextTurn(play, { topic: 'two' })),
    ]);

    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await two.get(threadKey(play.thread))).toEqual(await one.get(threadKey(play.thread)));
  });

  it('holds one starter’s count across processes, though both start at once', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const [one, two] = [openStore({ keyPrefix }), openStore({ keyPrefix })];

    const outcomes = await Promise.all([
      one.createWithin(samplePlay(threadRef('a')), 1),
      two.createWithin(samplePlay(threadRef('b')), 1),
    ]);

    expect([...outcomes].sort()).toEqual(['created', 'over-limit']);
    expect(await two.runningBy('console:U1')).toHaveLength(1);
  });

  it('closes more than once without complaint', async () => {
    const store = openStore();
    await store.running();

    await store.close();

    await expect(store.close()).resolves.toBeUndefined();
  });
});
