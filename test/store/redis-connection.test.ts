import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { createRedisIo, inOrder, type RedisIo } from '../../src/store/redis-connection.js';
import { redisUrl, uniqueKeyPrefix } from '../setup/redis.js';

let io: RedisIo | undefined;
afterEach(async () => {
  await io?.close();
  io = undefined;
});

describe('Redis connection', () => {
  it('runs commands in order in one trip, and throws the first that failed', async () => {
    io = createRedisIo(redisUrl(), silentLogger);
    const key = `${uniqueKeyPrefix()}in-order`;

    const replies = await io.trip((client) =>
      inOrder(client, (batch) => batch.set(key, 'a').append(key, 'b').get(key)),
    );
    const failing = io.trip((client) =>
      inOrder(client, (batch) => batch.hset(key, 'field', 'x').del(key)),
    );

    expect(replies).toEqual(['OK', 2, 'ab']);
    await expect(failing).rejects.toThrow(/WRONGTYPE/);
    // Not a transaction: what came after the failed command ran all the same.
    expect(await io.trip((client) => client.exists(key))).toBe(0);
  });

  it('sends the commands of one tick in one write, and each still gets its own answer', async () => {
    io = createRedisIo(redisUrl(), silentLogger);
    const key = `${uniqueKeyPrefix()}together`;
    await io.trip((client) => client.ping());
    let corkedDuringTick = -1;
    let socket: { readonly writableCorked: number } | undefined;

    const answers = Promise.all([
      io.trip((client) => {
        socket = client.stream;
        return client.set(key, 'a');
      }),
      io.trip((client) => client.append(key, 'b')),
      io.trip((client) => {
        corkedDuringTick = client.stream.writableCorked;
        return client.get(key);
      }),
    ]);

    expect(corkedDuringTick).toBe(1);
    await expect(answers).resolves.toEqual(['OK', 2, 'ab']);
    expect(socket?.writableCorked).toBe(0);
    expect(await io.trip((client) => client.del(key))).toBe(1);
  });

  it('keeps the socket corked through the promise callbacks the same event set off', async () => {
    io = createRedisIo(redisUrl(), silentLogger);
    const key = `${uniqueKeyPrefix()}cascade`;
    await io.trip((client) => client.ping());
    const writes = await countSocketWrites(io);

    // As an I/O event's handler would: the first command straight from the event, the second
    // two promise callbacks later (an answer's setup between two writes).
    const answers = new Promise<unknown[]>((resolve) => {
      setImmediate(async () => {
        const first = io?.trip((client) => client.set(key, 'a'));
        await Promise.resolve();
        await Promise.resolve();
        const second = io?.trip((client) => client.append(key, 'b'));
        resolve(await Promise.all([first, second]));
      });
    });

    await expect(answers).resolves.toEqual(['OK', 2]);
    expect(writes()).toBe(1);
    expect(await io.trip((client) => client.del(key))).toBe(1);
  });
});

/** Counts the socket's writes to the kernel from now on (one per uncorked batch). */
async function countSocketWrites(connection: RedisIo): Promise<() => number> {
  let count = 0;
  await connection.trip(async (client) => {
    const socket = client.stream as unknown as {
      _write: (...args: unknown[]) => void;
      _writev: (...args: unknown[]) => void;
    };
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method].bind(socket);
      socket[method] = (...args: unknown[]) => {
        count += 1;
        original(...args);
      };
    }
  });
  return () => count;
}
