import { type Message, type ThreadRef, threadKey } from '../core/model.js';
import type { Logger } from '../log/logger.js';
import { createRedisIo, inOrder, type RedisIo } from './redis-connection.js';
import { FORGET_SCRIPT } from './redis-history-scripts.js';
import { type RedisName, redisKey } from './redis-keys.js';
import { APPEND_SCRIPT, RECORD_SCRIPT, runScript } from './redis-scripts.js';
import { adoptedLineKeys, createRedisTurns, type LeavingPlace } from './redis-turns.js';
import type {
  AppendCondition,
  ConversationStore,
  HistoryLimits,
  ScopeSettings,
  SettingsPatch,
  ThreadState,
} from './store.js';
import {
  readSettings,
  requireName,
  requireReceipt,
  requireTtlMs,
  splitPatch,
} from './store-input.js';
import { parseStoredMessage, toStoredMessage } from './stored-message.js';

export interface RedisStoreOptions {
  readonly url: string;
  readonly limits: HistoryLimits;
  /** Put before every key, so several deployments (or test runs) can share one Redis. */
  readonly keyPrefix?: string;
  /** How long a turn outlives its holder's last renewal: a dead process blocks a thread this long. */
  readonly leaseMs?: number;
  /** How long a place taken by `admit` waits to be adopted before it lapses; default ten seconds. */
  readonly placeHoldMs?: number;
  /** First re-check of a waiting taker that heard no release notice; default one second. */
  readonly firstPollMs?: number;
  readonly logger: Logger;
}

/** A ConversationStore in Redis, shared by every instance of Parley. */
export interface RedisConversationStore extends ConversationStore {
  /** Round trips to Redis so far (a pipeline, MULTI or script counts once). */
  readonly roundTrips: number;
}

const DEFAULT_KEY_PREFIX = 'parley:';
// Long enough that a busy event loop or a slow Redis never costs a live holder its turn, and
// that a queue retry of a dead worker's job (5–7 s later) still finds its place and keeps the
// thread's order; short enough that a crashed instance blocks its threads for seconds.
const DEFAULT_LEASE_MS = 10_000;
// A queued message's place waits this long for a worker to take it up (milliseconds when the
// workers are up); longer, and later messages of its thread go first rather than wait.
const DEFAULT_PLACE_HOLD_MS = 10_000;

/** Creates the store; it connects in the background and reconnects by itself. */
export function createRedisConversationStore(options: RedisStoreOptions): RedisConversationStore {
  const prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const io = createRedisIo(options.url, options.logger);
  const key = (name: RedisName) => redisKey(prefix, name);
  const { recordAndLeave, ...history } = createHistory(io, key, options);
  const settingsKey = (scope: string) =>
    key({ kind: 'settings', scope: requireName(scope, 'scope') });
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  // Where admission receipts go: the keys the queue's work state (redis-work-state.ts) reads.
  const ledger = { due: key({ kind: 'here-due' }), jobs: key({ kind: 'here-jobs' }) };
  const turns = createRedisTurns({
    io,
    key,
    leaseMs,
    placeHoldMs: options.placeHoldMs ?? DEFAULT_PLACE_HOLD_MS,
    logger: options.logger,
    ...(options.firstPollMs === undefined ? {} : { firstPollMs: options.firstPollMs }),
  });
  return {
    get roundTrips() {
      return io.roundTrips;
    },
    async claim(claimKey, ttlMs) {
      const name = key({ kind: 'claim', key: requireName(claimKey, 'claim key') });
      const ttl = requireTtlMs(ttlMs);
      return (await io.trip((client) => client.set(name, '1', 'PX', ttl, 'NX'))) === 'OK';
    },
    async admit(thread, claimKey, claimTtlMs, admitOptions = {}) {
      const name = key({ kind: 'claim', key: requireName(claimKey, 'claim key') });
      const ttl = requireTtlMs(claimTtlMs);
      const { place, receipt } = admitOptions;
      return turns.admit(threadKey(thread), name, ttl, {
        conversation: key({ kind: 'conversation', thread: threadKey(thread) }),
        ...(admitOptions.join === true && { joinTtlMs: requireTtlMs(options.limits.ttlMs) }),
        ...(place !== undefined && { token: place }),
        ...(receipt !== undefined && { receipt: requireReceipt(receipt) }),
        ledger,
      });
    },
    async withdraw(thread, claimKey, place) {
      const name = key({ kind: 'claim', key: requireName(claimKey, 'claim key') });
      await turns.withdraw(threadKey(thread), name, place);
    },
    async isClaimed(claimKey) {
      const name = key({ kind: 'claim', key: requireName(claimKey, 'claim key') });
      return (await io.trip((client) => client.exists(name))) === 1;
    },
    ...history,
    settings: async (scopes) => readScopes(io, scopes.map(settingsKey)),
    updateSettings: async (scope, patch) => writeScope(io, settingsKey(scope), patch),
    takeTurn: async (thread, takeOptions = {}) =>
      turns.take(threadKey(thread), takeOptions, (record, leaving) =>
        recordAndLeave(thread, record, leaving),
      ),
    async ping() {
      try {
        return (await io.trip((client) => client.ping())) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      await turns.close();
      await io.close();
    },
  };
}

type HistoryMethods = Pick<
  ConversationStore,
  | 'append'
  | 'appendIf'
  | 'history'
  | 'historyLength'
  | 'clear'
  | 'forget'
  | 'threadState'
  | 'joinThread'
  | 'resetThread'
>;

interface History extends HistoryMethods {
  /** Appends an answer and leaves the thread's line in one script (see `Turn.release`). */
  recordAndLeave(
    thread: ThreadRef,
    messages: readonly Message[],
    leaving: LeavingPlace,
  ): Promise<unknown>;
}

/** A thread's history: a list trimmed and expired by one script on every append. */
function createHistory(
  io: RedisIo,
  key: (name: RedisName) => string,
  options: RedisStoreOptions,
): History {
  const historyKey = (thread: ThreadRef) => key({ kind: 'history', thread: threadKey(thread) });
  const conversationKey = (thread: ThreadRef) =>
    key({ kind: 'conversation', thread: threadKey(thread) });
  const ttlMs = requireTtlMs(options.limits.ttlMs);
  const readLines = (thread: ThreadRef, lines: unknown) =>
    parseLines(lines, threadKey(thread), options.logger);
  const { maxMessages, maxChars } = options.limits;
  const limits = [Math.max(1, maxMessages), maxChars, ttlMs] as const;
  const linesOf = (messages: readonly Message[]) =>
    messages.map((message) => JSON.stringify(toStoredMessage(message)));
  /** The append script's reply: the kept lines, or null when a condition did not hold. */
  const appendLines = (
    thread: ThreadRef,
    messages: readonly Message[],
    condition: AppendCondition = {},
  ) => {
    const when = condition.ifStarted === true ? 'if-started' : 'always';
    const { whileFirst } = condition;
    const line =
      whileFirst === undefined ? [] : adoptedLineKeys(key, threadKey(thread), whileFirst);
    const args = [...limits, when, ...linesOf(messages)];
    return runScript(io, APPEND_SCRIPT, [historyKey(thread), ...line], args);
  };
  return {
    recordAndLeave(thread, messages, leaving) {
      const keys = [historyKey(thread), ...leaving.keys];
      return runScript(io, RECORD_SCRIPT, keys, [...limits, leaving.channel, ...linesOf(messages)]);
    },
    async append(thread, messages) {
      return readLines(thread, await appendLines(thread, messages));
    },
    async appendIf(thread, messages, condition) {
      const kept = await appendLines(thread, messages, condition);
      return kept === null ? undefined : readLines(thread, kept);
    },
    history: async (thread) =>
      readLines(thread, await io.trip((client) => client.lrange(historyKey(thread), 0, -1))),
    historyLength: async (thread) => io.trip((client) => client.llen(historyKey(thread))),
    async clear(thread) {
      await io.trip((client) => client.del(historyKey(thread)));
    },
    async forget(thread, messageIds) {
      if (messageIds.length === 0) return;
      const keys = [historyKey(thread), conversationKey(thread)];
      await runScript(io, FORGET_SCRIPT, keys, [ttlMs, ...messageIds]);
    },
    async threadState(thread) {
      const replies = await io.trip((client) =>
        client
          .multi()
          .hgetall(conversationKey(thread))
          .pexpire(conversationKey(thread), ttlMs)
          .exec(),
      );
      return readThreadState((replies?.[0]?.[1] ?? {}) as Record<string, string>);
    },
    async joinThread(thread) {
      const key = conversationKey(thread);
      await io.trip((client) => client.multi().hset(key, 'joined', '1').pexpire(key, ttlMs).exec());
    },
    async resetThread(thread, at) {
      const key = conversationKey(thread);
      await io.trip((client) =>
        client
          .multi()
          .del(historyKey(thread), key)
          .hset(key, { joined: '1', resetAt: String(Math.floor(at)) })
          .pexpire(key, ttlMs)
          .exec(),
      );
    },
  };
}

/** A conversation hash's fields as a thread state. */
function readThreadState(fields: Record<string, string>): ThreadState {
  const resetAt = Number(fields.resetAt);
  return {
    isJoined: fields.joined === '1',
    resetAt: Number.isFinite(resetAt) ? resetAt : undefined,
    refused: Object.keys(fields).flatMap((field) =>
      field.startsWith('refused:') ? [field.slice('refused:'.length)] : [],
    ),
  };
}

/** Every scope's settings in one pipeline of HGETALLs. */
async function readScopes(io: RedisIo, keys: readonly string[]): Promise<ScopeSettings[]> {
  if (keys.length === 0) return [];
  const replies = await io.trip((client) =>
    inOrder(client, (batch) => keys.reduce((reads, key) => reads.hgetall(key), batch)),
  );
  if (replies.length !== keys.length)
    throw new Error('redis returned no reply for a settings read');
  return replies.map(settingsFrom);
}

/** Sets and removes fields and reads the result back in one MULTI. */
async function writeScope(io: RedisIo, key: string, patch: SettingsPatch): Promise<ScopeSettings> {
  const { set, remove } = splitPatch(patch);
  const replies = await io.trip((client) => {
    const multi = client.multi();
    if (set.length > 0) multi.hset(key, Object.fromEntries(set));
    if (remove.length > 0) multi.hdel(key, ...remove);
    return multi.hgetall(key).exec();
  });
  return settingsOf(replies?.at(-1));
}

function settingsOf(reply: [Error | null, unknown] | undefined): ScopeSettings {
  if (reply === undefined) throw new Error('redis returned no reply for a settings read');
  const [error, fields] = reply;
  if (error !== null) throw error;
  return settingsFrom(fields);
}

function settingsFrom(fields: unknown): ScopeSettings {
  return typeof fields === 'object' && fields !== null
    ? readSettings(fields as Record<string, string>)
    : {};
}

/** Stored lines as messages; a line that is not one is skipped and reported, never fatal. */
function parseLines(lines: unknown, thread: string, logger: Logger): Message[] {
  if (!Array.isArray(lines)) throw new Error('redis returned a non-list history');
  const messages: Message[] = [];
  lines.forEach((line: unknown, index) => {
    const message = typeof line === 'string' ? parseStoredMessage(line) : undefined;
    if (message === undefined) logger.warn('stored message unreadable', { thread, index });
    else messages.push(message);
  });
  return messages;
}
