import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { threadKey } from '../../src/core/model.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import { guardStore } from '../../src/store/guarded-store.js';
import { redisKey } from '../../src/store/redis-keys.js';
import {
  createRedisConversationStore,
  type RedisConversationStore,
  type RedisStoreOptions,
} from '../../src/store/redis-store.js';
import type { HistoryLimits } from '../../src/store/store.js';
import { deleteKeys, rawRedis, redisUrl, uniqueKeyPrefix } from '../setup/redis.js';
import { freePort, startRedisServer } from '../setup/redis-process.js';
import { assistantLine, threadRef, userMessage } from '../support/messages.js';
import {
  CONTRACT_LIMITS,
  describeConversationStoreContract,
} from './conversation-store.contract.js';

const prefixes: string[] = [];
const opened: RedisConversationStore[] = [];

function newPrefix(): string {
  const prefix = uniqueKeyPrefix();
  prefixes.push(prefix);
  return prefix;
}

function openStore(overrides: Partial<RedisStoreOptions> = {}): RedisConversationStore {
  const store = createRedisConversationStore({
    url: redisUrl(),
    limits: CONTRACT_LIMITS,
    keyPrefix: newPrefix(),
    logger: silentLogger,
    ...overrides,
  });
  opened.push(store);
  return store;
}

/** Two stores on one Redis and one key prefix: two Parley processes. */
function openPair(
  overrides: Partial<RedisStoreOptions> = {},
): [RedisConversationStore, RedisConversationStore] {
  const keyPrefix = newPrefix();
  return [openStore({ keyPrefix, ...overrides }), openStore({ keyPrefix, ...overrides })];
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});
afterAll(async () => {
  await Promise.all(prefixes.map((prefix) => deleteKeys(prefix)));
});

describeConversationStoreContract('redis store', (limits: HistoryLimits) =>
  openStore({ limits, placeHoldMs: 300, firstPollMs: 100 }),
);

/** How many places a thread's turn line holds. */
async function rawZcard(keyPrefix: string, thread: ReturnType<typeof threadRef>) {
  const client = rawRedis();
  try {
    return await client.zcard(redisKey(keyPrefix, { kind: 'turns', thread: threadKey(thread) }));
  } finally {
    client.disconnect();
  }
}

describe('redis store', () => {
  const thread = threadRef('redis');

  it('keeps the order of places admitted by one process and taken up by another', async () => {
    const [ingress, worker] = openPair();
    const first = (await ingress.admit(thread, 'delivery:1', 60_000)) ?? '';
    const second = (await ingress.admit(thread, 'delivery:2', 60_000)) ?? '';
    const order: string[] = [];

    const later = worker.takeTurn(thread, { place: second }).then(async (turn) => {
      order.push('second');
      await turn.release();
    });
    const earlier = await worker.takeTurn(thread, { place: first });
    order.push('first');
    await earlier.release();
    await later;

    expect(order).toEqual(['first', 'second']);
  });

  it('queues a second taker of a place in use here behind the first (a duplicate attempt)', async () => {
    const store = openStore();
    const place = (await store.admit(thread, 'delivery:twice', 60_000)) ?? '';
    const first = await store.takeTurn(thread, { place });
    const events: string[] = [];

    const second = store.takeTurn(thread, { place }).then((turn) => {
      events.push('second holds');
      return turn;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push('first releases');
    await first.release();
    await (await second).release();

    expect(events).toEqual(['first releases', 'second holds']);
  });

  it('wakes the takers behind a released turn, and publishes nothing when nobody waits', async () => {
    const keyPrefix = newPrefix();
    const store = openStore({ keyPrefix, firstPollMs: 60_000 });
    const thread = threadRef('T-feed');
    const channel = redisKey(keyPrefix, { kind: 'released', thread: threadKey(thread) });
    const listener = rawRedis();
    const published: string[] = [];
    try {
      listener.on('message', (name: string) => published.push(name));
      await listener.subscribe(channel);
      await (await store.takeTurn(thread)).release();
      const first = await store.takeTurn(thread);
      const second = store.takeTurn(thread);
      await vi.waitFor(async () => expect(await rawZcard(keyPrefix, thread)).toBe(2));
      await first.release();
      // Woken by the publication: its first poll is a minute away.
      await (await second).release();
      // A round trip on the listener: anything published before it has arrived.
      await listener.ping();

      expect(published).toEqual([channel]);
    } finally {
      listener.disconnect();
    }
  });

  it("writes an admission's receipt (its here-first ledger entry) with it, only for a new delivery", async () => {
    const keyPrefix = newPrefix();
    const store = openStore({ keyPrefix });
    const redis = rawRedis();
    const ledger = (jobId: string) =>
      Promise.all([
        redis.hget(redisKey(keyPrefix, { kind: 'here-jobs' }), jobId),
        redis.zscore(redisKey(keyPrefix, { kind: 'here-due' }), jobId),
      ]);
    const receipt = { jobId: 'reply-1', job: '{"kind":"reply"}', dueAt: 1_900_000_000_000 };
    const before = store.roundTrips;

    const place = await store.admit(thread, 'delivery:receipt', 60_000, { receipt });
    const written = await ledger('reply-1');
    const twin = await store.admit(thread, 'delivery:receipt', 60_000, {
      receipt: { ...receipt, jobId: 'reply-twin' },
    });
    const notWritten = await ledger('reply-twin');
    await redis.quit();

    expect(place).toBeDefined();
    expect(store.roundTrips - before).toBe(2);
    expect(written).toEqual(['{"kind":"reply"}', '1900000000000']);
    expect(twin).toBeUndefined();
    expect(notWritten).toEqual([null, null]);
  });

  it('refuses a receipt it could not write as given, before anything is admitted', async () => {
    const store = openStore();
    const bad = { jobId: 'reply-2', job: '{}', dueAt: Number.NaN };

    await expect(store.admit(thread, 'delivery:bad', 60_000, { receipt: bad })).rejects.toThrow(
      /receipt/,
    );
    expect(await store.admit(thread, 'delivery:bad', 60_000)).toBeDefined();
  });

  it('refuses a turn place that is not a token from admit', async () => {
    const store = openStore();

    await expect(store.takeTurn(thread, { place: 'x}:evil' })).rejects.toThrow(/token from admit/);
  });

  it('answers one message in a handful of round trips', async () => {
    const store = openStore();
    const message = async (n: number) => {
      await store.claim(`evt-${n}`, 60_000);
      const turn = await store.takeTurn(thread);
      await store.append(thread, [userMessage('question')]);
      await store.settings(['console:W:C:redis', 'console:W:C']);
      const released = store.roundTrips;
      await turn.release([assistantLine('answer')]);
      return store.roundTrips - released;
    };
    await message(1);
    const before = store.roundTrips;

    const recordedAndReleased = await message(2);

    expect(recordedAndReleased).toBe(1);
    expect(store.roundTrips - before).toBeLessThanOrEqual(5);
  });

  it('lets the line move on when an answer cannot be recorded as its turn is released', async () => {
    const keyPrefix = newPrefix();
    // A lease longer than the test may run: only the release itself can let the next one go.
    const store = openStore({ keyPrefix, leaseMs: 60_000 });
    const redis = rawRedis();
    const first = await store.takeTurn(thread);
    const next = store.takeTurn(thread);
    // A history key of the wrong type makes the recording script fail half-way.
    await redis.set(redisKey(keyPrefix, { kind: 'history', thread: threadKey(thread) }), 'x');
    await redis.quit();

    await expect(first.release([assistantLine('answer')])).rejects.toThrow(/WRONGTYPE/);

    await (await next).release();
  });

  it('sets the history ttl on every append', async () => {
    const keyPrefix = newPrefix();
    const store = openStore({ keyPrefix });
    const redis = rawRedis();

    await store.append(thread, [userMessage('hello')]);
    const pttl = await redis.pttl(
      redisKey(keyPrefix, { kind: 'history', thread: threadKey(thread) }),
    );
    await redis.quit();

    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(CONTRACT_LIMITS.ttlMs);
  });

  it('trims atomically while two processes append at once', async () => {
    const limits = { ...CONTRACT_LIMITS, maxMessages: 5 };
    const [one, two] = openPair({ limits });
    const messages = Array.from({ length: 20 }, (_, index) => userMessage(`m${index}`));

    const kept = await Promise.all(
      messages.map((message, index) => (index % 2 ? one : two).append(thread, [message])),
    );

    kept.forEach((history, index) => {
      expect(history.length).toBeLessThanOrEqual(5);
      expect(history.at(-1)?.id).toBe(messages[index]?.id);
    });
    expect(await one.historyLength(thread)).toBe(5);
  });

  it('skips a corrupt history entry and reports it', async () => {
    const keyPrefix = newPrefix();
    const warn = vi.fn();
    const logger: Logger = { ...silentLogger, warn, child: () => logger };
    const store = openStore({ keyPrefix, logger });
    const redis = rawRedis();
    await redis.rpush(
      redisKey(keyPrefix, { kind: 'history', thread: threadKey(thread) }),
      'not json',
      '{"id":1}',
    );
    await redis.quit();

    const kept = await store.append(thread, [userMessage('fine')]);

    expect(kept.map((message) => message.text)).toEqual(['fine']);
    expect(await store.history(thread)).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(
      'stored message unreadable',
      expect.objectContaining({ index: 0 }),
    );
  });

  it('grants one of 20 claims made at once by two processes', async () => {
    const [one, two] = openPair();

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).claim('evt', 60_000)),
    );

    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  describeTurnsAcrossProcesses();
  describeOutage();
});

function describeTurnsAcrossProcesses(): void {
  const thread = threadRef('processes');
  // Short enough that lapses happen within a test; renewals come every 200 ms, so only a
  // stall of more than 600 ms on a loaded machine could lose the lease.
  const leaseMs = 600;

  it('keeps a turn held longer than its lease while the holder lives', async () => {
    const [holderStore, waiterStore] = openPair({ leaseMs });
    const held = await holderStore.takeTurn(thread);
    const events: string[] = [];
    const waiting = waiterStore.takeTurn(thread).then((turn) => {
      events.push('waiter holds');
      return turn;
    });

    await new Promise((resolve) => setTimeout(resolve, leaseMs * 3));
    events.push('holder releases');
    expect(held.signal.aborted).toBe(false);
    await held.release();
    await (await waiting).release();

    expect(events).toEqual(['holder releases', 'waiter holds']);
  });

  it('skips a holder that died once its lease lapses', async () => {
    const [dyingStore, waiterStore] = openPair({ leaseMs });
    const held = await dyingStore.takeTurn(thread);
    const waiting = waiterStore.takeTurn(thread);

    await dyingStore.close();
    const turn = await waiting;

    expect(held.signal.aborted).toBe(true);
    expect(turn.signal.aborted).toBe(false);
    await turn.release();
  });

  it('wakes a taker in another process as soon as the turn is released', async () => {
    const keyPrefix = newPrefix();
    // Polling is pushed past the test's timeout: only the published release can wake the taker.
    const slowPoll = { keyPrefix, leaseMs: 600_000, firstPollMs: 300_000 };
    const [holderStore, waiterStore] = [openStore(slowPoll), openStore(slowPoll)];
    const held = await holderStore.takeTurn(thread);
    const waiting = waiterStore.takeTurn(thread);
    const channel = redisKey(keyPrefix, { kind: 'released', thread: threadKey(thread) });
    const redis = rawRedis();
    await vi.waitFor(async () =>
      expect(await redis.pubsub('NUMSUB', channel)).toEqual([channel, 1]),
    );
    await redis.quit();

    await held.release();
    const turn = await waiting;

    expect(turn.signal.aborted).toBe(false);
    await turn.release();
  });
}

function describeOutage(): void {
  // With Redis down a command fails within about a reconnection attempt (~0.2 s); five is generous.
  const failFastMs = 5_000;

  it.skipIf(process.env.PARLEY_TEST_REDIS_URL)(
    'fails fast while Redis is down and heals when it is back',
    async () => {
      const port = await freePort();
      const store = openStore({ url: `redis://127.0.0.1:${port}` });
      const startedAt = Date.now();

      await expect(store.claim('evt', 1_000)).rejects.toThrow();
      await expect(
        guardStore(store).append(threadRef(), [userMessage('hi')]),
      ).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
      await expect(store.takeTurn(threadRef())).rejects.toThrow();
      expect(await store.ping()).toBe(false);
      expect(Date.now() - startedAt).toBeLessThan(failFastMs);

      const server = await startRedisServer({ port });
      try {
        await vi.waitFor(async () => expect(await store.ping()).toBe(true), {
          timeout: 10_000,
          interval: 100,
        });
        expect(await store.claim('evt', 1_000)).toBe(true);
      } finally {
        await store.close();
        await server.stop();
      }
    },
  );

  it('closes more than once without complaint', async () => {
    const store = openStore();
    await (await store.takeTurn(threadRef())).release();

    await store.close();

    await expect(store.close()).resolves.toBeUndefined();
  });
}
