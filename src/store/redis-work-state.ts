import type { Logger } from '../log/logger.js';
import type { HereLedger, WorkState } from '../queue/work-state.js';
import { createRedisIo, inOrder, type RedisIo } from './redis-connection.js';
import { type RedisName, redisKey } from './redis-keys.js';
import { lua, runScript } from './redis-scripts.js';

// A thread's last post only matters while a job of it may be retried (minutes); a day is generous.
const LAST_POST_TTL_MS = 24 * 60 * 60 * 1_000;
// A journal only matters while its job may be retried (minutes); a day is generous.
const JOURNAL_TTL_MS = 24 * 60 * 60 * 1_000;

// A journal's fields: message indexes, `intended`, and `file:<index>` for each file uploaded.
const FILE_FIELD = 'file:';

export interface RedisWorkStateOptions {
  readonly url: string;
  readonly keyPrefix?: string;
  readonly logger: Logger;
}

/** Reply journals in Redis, shared by every worker. */
export function createRedisWorkState(options: RedisWorkStateOptions): WorkState {
  const io = createRedisIo(options.url, options.logger.child({ component: 'work-state' }));
  const key = (name: RedisName): string => redisKey(options.keyPrefix ?? 'parley:', name);
  const readJournal = (journalKey: string, lastKey: string) =>
    io.trip(async (client) => {
      const [fields, last] = await inOrder(client, (batch) =>
        batch.hgetall(journalKey).get(lastKey),
      );
      return [(fields ?? {}) as Record<string, string>, (last ?? null) as string | null] as const;
    });
  return {
    async journal(job, thread, isFirst = false) {
      const journalKey = key({ kind: 'journal', job });
      const lastKey = key({ kind: 'last-post', thread });
      const [stored, last] = isFirst
        ? [{} as Record<string, string>, null]
        : await readJournal(journalKey, lastKey);
      const { intended, ...byIndex } = stored;
      const entries = Object.entries(byIndex);
      const files = new Set(
        entries
          .filter(([field]) => field.startsWith(FILE_FIELD))
          .map(([field]) => Number(field.slice(FILE_FIELD.length))),
      );
      const posted = entries
        .filter(([field]) => /^\d+$/.test(field))
        .map(([index, id]) => [Number(index), id] as const)
        .sort(([a], [b]) => a - b)
        .map(([, id]) => id);
      return {
        posted,
        isUnsure: intended !== undefined && Number(intended) >= posted.length,
        lastInThread: last ?? undefined,
        files,
        recordFile: async (index) => {
          await io.trip((client) =>
            inOrder(client, (batch) =>
              batch
                .hset(journalKey, `${FILE_FIELD}${index}`, '1')
                .pexpire(journalKey, JOURNAL_TTL_MS),
            ),
          );
        },
        intend: async (index) => {
          await io.trip((client) =>
            inOrder(client, (batch) =>
              batch.hset(journalKey, 'intended', String(index)).pexpire(journalKey, JOURNAL_TTL_MS),
            ),
          );
        },
        record: async (index, id) => {
          await io.trip((client) =>
            inOrder(client, (batch) =>
              batch
                .hset(journalKey, String(index), id)
                .pexpire(journalKey, JOURNAL_TTL_MS)
                .set(lastKey, id, 'PX', LAST_POST_TTL_MS),
            ),
          );
        },
      };
    },
    ledger: createHereLedger(io, key({ kind: 'here-due' }), key({ kind: 'here-jobs' })),
    close: () => io.close(),
  };
}

/**
 * KEYS: due, jobs. ARGV: now, leaseUntil, max. Entries due by now, leased until leaseUntil:
 * id, job, id, job… An entry whose job is gone is dropped.
 */
const CLAIM_DUE_SCRIPT = lua(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local claimed = {}
for _, id in ipairs(ids) do
  local job = redis.call('HGET', KEYS[2], id)
  if job then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    claimed[#claimed + 1] = id
    claimed[#claimed + 1] = job
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return claimed
`);

function createHereLedger(io: RedisIo, dueKey: string, jobsKey: string): HereLedger {
  return {
    async renew(jobIds, dueAt) {
      if (jobIds.length === 0) return;
      const members = jobIds.flatMap((jobId) => [dueAt, jobId]);
      await io.trip((client) => client.zadd(dueKey, 'XX', ...members));
    },
    async letGo(jobId) {
      // A claim between the two finds no due time: nothing to take up.
      await io.trip((client) =>
        inOrder(client, (batch) => batch.zrem(dueKey, jobId).hdel(jobsKey, jobId)),
      );
    },
    async claimDue(now, leaseUntil, max) {
      const reply = await runScript(
        io,
        CLAIM_DUE_SCRIPT,
        [dueKey, jobsKey],
        [now, leaseUntil, max],
      );
      const flat = Array.isArray(reply) ? reply.map(String) : [];
      const claimed: { jobId: string; job: string }[] = [];
      for (let index = 0; index + 1 < flat.length; index += 2)
        claimed.push({ jobId: flat[index] ?? '', job: flat[index + 1] ?? '' });
      return claimed;
    },
  };
}
