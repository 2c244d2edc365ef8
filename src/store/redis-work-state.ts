import type { Logger } from '../log/logger.js';
import type { WorkState } from '../queue/work-state.js';
import { createRedisIo } from './redis-connection.js';
import { type RedisName, redisKey } from './redis-keys.js';
import { lua, runScript } from './redis-scripts.js';

// Order state outlives any queue wait; a thread quiet for a day starts afresh.
const ORDER_TTL_MS = 24 * 60 * 60 * 1_000;
// A journal only matters while its job may be retried (minutes); a day is generous.
const JOURNAL_TTL_MS = 24 * 60 * 60 * 1_000;

/** KEYS: done, skipped. ARGV: seq, ttl. Marks seq answered and moves `done` past every finished ticket. */
const COMPLETE_SCRIPT = lua(`
local done = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('SADD', KEYS[2], ARGV[1])
while redis.call('SISMEMBER', KEYS[2], tostring(done + 1)) == 1 do
  done = done + 1
  redis.call('SREM', KEYS[2], tostring(done))
end
redis.call('SET', KEYS[1], done, 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return done
`);

export interface RedisWorkStateOptions {
  readonly url: string;
  readonly keyPrefix?: string;
  readonly logger: Logger;
}

/** Thread order and reply journals in Redis, shared by ingress and every worker. */
export function createRedisWorkState(options: RedisWorkStateOptions): WorkState {
  const io = createRedisIo(options.url, options.logger.child({ component: 'work-state' }));
  const key = (name: RedisName): string => redisKey(options.keyPrefix ?? 'parley:', name);
  return {
    async ticket(thread) {
      const issued = key({ kind: 'order-issued', thread });
      const [[, seq] = []] = (await io.trip((client) =>
        client.multi().incr(issued).pexpire(issued, ORDER_TTL_MS).exec(),
      )) ?? [[]];
      return Number(seq);
    },
    async isTurn(thread, seq) {
      const done = await io.trip((client) => client.get(key({ kind: 'order-done', thread })));
      return seq <= Number(done ?? '0') + 1;
    },
    async complete(thread, seq) {
      const keys = [key({ kind: 'order-done', thread }), key({ kind: 'order-skipped', thread })];
      await runScript(io, COMPLETE_SCRIPT, keys, [seq, ORDER_TTL_MS]);
    },
    async journal(job, thread) {
      const journalKey = key({ kind: 'journal', job });
      const lastKey = key({ kind: 'last-post', thread });
      const [stored, last] = await io.trip(async (client) => {
        const results = (await client.multi().hgetall(journalKey).get(lastKey).exec()) ?? [];
        return [
          (results[0]?.[1] ?? {}) as Record<string, string>,
          (results[1]?.[1] ?? null) as string | null,
        ];
      });
      const { intended, ...byIndex } = stored;
      const posted = Object.entries(byIndex)
        .map(([index, id]) => [Number(index), id] as const)
        .sort(([a], [b]) => a - b)
        .map(([, id]) => id);
      return {
        posted,
        isUnsure: intended !== undefined && Number(intended) >= posted.length,
        lastInThread: last ?? undefined,
        intend: async (index) => {
          await io.trip((client) =>
            client
              .multi()
              .hset(journalKey, 'intended', String(index))
              .pexpire(journalKey, JOURNAL_TTL_MS)
              .exec(),
          );
        },
        record: async (index, id) => {
          await io.trip((client) =>
            client
              .multi()
              .hset(journalKey, String(index), id)
              .pexpire(journalKey, JOURNAL_TTL_MS)
              .set(lastKey, id, 'PX', ORDER_TTL_MS)
              .exec(),
          );
        },
      };
    },
    close: () => io.close(),
  };
}
