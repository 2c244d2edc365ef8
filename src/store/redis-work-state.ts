import type { ChainableCommander } from 'ioredis';
import type { ReplyJournal } from '../core/replies.js';
import type { Logger } from '../log/logger.js';
import type { HereLedger, Slot, WorkState } from '../queue/work-state.js';
import { createRedisIo, inOrder, type RedisIo } from './redis-connection.js';
import { type RedisName, redisKey } from './redis-keys.js';
import { lua, runScript } from './redis-scripts.js';

// A thread's last post only matters while a job of it may be retried (minutes); a day is generous.
const LAST_POST_TTL_MS = 24 * 60 * 60 * 1_000;
// A journal only matters while its job may be retried (minutes); a day is generous.
const JOURNAL_TTL_MS = 24 * 60 * 60 * 1_000;

// A journal's fields: a message slot for each message posted (`<index>` in the reply's first
// part, `<part>.<index>` in a handed-over part: each part has slots of its own, so a retry whose
// part runs longer than before never takes the next part's message), `intended` (the slot of the
// post last begun), and `file:<index>` for each file uploaded.
const FILE_FIELD = 'file:';
const INTENDED_FIELD = 'intended';
const SLOT_FIELD = /^(?:(\d+)\.)?(\d+)$/;

/** A message slot's field: `<index>` in the first part (as before parts had slots), else `<part>.<index>`. */
function slotField(part: number, index: number): string {
  return part === 0 ? String(index) : `${part}.${index}`;
}

function slotOf(field: string): Slot | undefined {
  const match = SLOT_FIELD.exec(field);
  return match === null ? undefined : { part: Number(match[1] ?? 0), index: Number(match[2]) };
}

/** What a journal's fields say: each part's messages in order, the files, an unsure post. */
function readJournalFields(stored: Record<string, string>) {
  const slots: (Slot & { readonly id: string })[] = [];
  const files = new Set<number>();
  for (const [field, value] of Object.entries(stored)) {
    if (field.startsWith(FILE_FIELD)) files.add(Number(field.slice(FILE_FIELD.length)));
    const slot = slotOf(field);
    if (slot !== undefined) slots.push({ ...slot, id: value });
  }
  // Parts are posted one after another, each in slot order: this is the order of posting.
  slots.sort((a, b) => a.part - b.part || a.index - b.index);
  const posted = new Map<number, string[]>();
  for (const { part, id } of slots) posted.set(part, [...(posted.get(part) ?? []), id]);
  const intended =
    stored[INTENDED_FIELD] === undefined ? undefined : slotOf(stored[INTENDED_FIELD]);
  const isRecorded = (slot: Slot) => stored[slotField(slot.part, slot.index)] !== undefined;
  return {
    posted,
    files,
    lastRecorded: slots.at(-1)?.id,
    unsure: intended !== undefined && !isRecorded(intended) ? intended : undefined,
  };
}

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
      const read = readJournalFields(stored);
      const trip = (write: (batch: ChainableCommander) => ChainableCommander) =>
        io.trip((client) => inOrder(client, write)).then(() => undefined);
      const partJournal = (part: number): ReplyJournal & { part(part: number): ReplyJournal } => ({
        posted: read.posted.get(part) ?? [],
        files: read.files,
        recordFile: (index) =>
          trip((batch) =>
            batch
              .hset(journalKey, `${FILE_FIELD}${index}`, '1')
              .pexpire(journalKey, JOURNAL_TTL_MS),
          ),
        intend: (index) =>
          trip((batch) =>
            batch
              .hset(journalKey, INTENDED_FIELD, slotField(part, index))
              .pexpire(journalKey, JOURNAL_TTL_MS),
          ),
        record: (index, id) =>
          trip((batch) =>
            batch
              .hset(journalKey, slotField(part, index), id)
              .pexpire(journalKey, JOURNAL_TTL_MS)
              .set(lastKey, id, 'PX', LAST_POST_TTL_MS),
          ),
        part: partJournal,
      });
      return {
        ...partJournal(0),
        isUnsure: read.unsure !== undefined,
        resumeAt: read.unsure ?? { part: 0, index: read.posted.get(0)?.length ?? 0 },
        lastRecorded: read.lastRecorded,
        lastInThread: last ?? undefined,
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
