import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { createRedisIo, type RedisIo } from '../../src/store/redis-connection.js';
import { redisUrl, uniqueKeyPrefix } from '../setup/redis.js';

let io: RedisIo | undefined;
afterEach(async () => {
  await io?.close();
  io = undefined;
});

describe('Redis connection', () => {
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
});
