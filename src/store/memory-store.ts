import { randomUUID } from 'node:crypto';
import type { Message } from '../core/model.js';
import { type ThreadRef, threadKey } from '../core/model.js';
import { ParleyError } from '../errors.js';
import type {
  ConversationStore,
  HistoryLimits,
  ScopeSettings,
  SettingsPatch,
  TakeTurnOptions,
  ThreadState,
  Turn,
} from './store.js';
import {
  abortError,
  readSettings,
  requireAdmitted,
  requireName,
  requireTtlMs,
  splitPatch,
} from './store-input.js';
import { keepWithinLimits, toStoredMessage } from './stored-message.js';

export interface MemoryStoreOptions {
  readonly limits: HistoryLimits;
  /** The clock TTLs are measured on (tests move it by hand). */
  readonly now?: () => number;
  /** How long an admitted place waits for its taker before it lapses. */
  readonly placeHoldMs?: number;
}

interface StoredHistory {
  readonly messages: readonly Message[];
  readonly expiresAt: number;
}

// Expired claims are only found when their key is claimed again; a full sweep every this many
// claims keeps a long-running process from holding every delivery id it ever saw.
const CLAIM_SWEEP_EVERY = 1_000;
// One process: an abandoned turn can only be adopted by a retry here, which comes at once.
const ABANDONED_HOLD_MS = 5_000;
// An admitted place waits this long for its taker (the same process) before it lapses.
const DEFAULT_PLACE_HOLD_MS = 10_000;

/** A ConversationStore held in this process: for one instance, development and tests. */
export function createMemoryConversationStore(options: MemoryStoreOptions): ConversationStore {
  const now = options.now ?? Date.now;
  const claims = createClaims(now);
  const histories = new Map<string, StoredHistory>();
  const settings = new Map<string, ScopeSettings>();
  const turns = createMemoryTurns();
  const threads = createThreadStates(now, options.limits.ttlMs);

  const historyOf = (thread: ThreadRef): readonly Message[] => {
    const key = threadKey(thread);
    const stored = histories.get(key);
    if (stored === undefined) return [];
    if (stored.expiresAt > now()) return stored.messages;
    histories.delete(key);
    return [];
  };
  const append = (thread: ThreadRef, messages: readonly Message[]): readonly Message[] => {
    const added = messages.map(toStoredMessage);
    const kept = keepWithinLimits([...historyOf(thread), ...added], options.limits);
    histories.set(threadKey(thread), { messages: kept, expiresAt: now() + options.limits.ttlMs });
    return kept;
  };

  return {
    claim: async (key, ttlMs) => claims.claim(requireName(key, 'claim key'), requireTtlMs(ttlMs)),
    isClaimed: async (key) => claims.holds(requireName(key, 'claim key')),
    async admit(thread, key, ttlMs, admitOptions = {}) {
      // Receipts are for a queue's workers, and a queue needs Redis: one here would be lost.
      if (admitOptions.receipt !== undefined)
        throw new ParleyError('INTERNAL', 'the in-memory store keeps no receipts');
      if (admitOptions.join === true)
        threads.update(thread, (state) => ({ ...state, isJoined: true }));
      if (!claims.claim(requireName(key, 'claim key'), requireTtlMs(ttlMs))) return undefined;
      const holdMs = options.placeHoldMs ?? DEFAULT_PLACE_HOLD_MS;
      return turns.admit(threadKey(thread), holdMs, admitOptions.place);
    },
    async withdraw(thread, key, place) {
      claims.forget(requireName(key, 'claim key'));
      turns.withdraw(threadKey(thread), place);
    },
    append: async (thread, messages) => append(thread, messages),
    async appendIf(thread, messages, condition) {
      if (condition.ifStarted === true && historyOf(thread).length === 0) return undefined;
      const { whileFirst } = condition;
      if (whileFirst !== undefined && !turns.isFirst(threadKey(thread), whileFirst))
        return undefined;
      return append(thread, messages);
    },
    history: async (thread) => historyOf(thread),
    historyLength: async (thread) => historyOf(thread).length,
    async clear(thread) {
      histories.delete(threadKey(thread));
    },
    async forget(thread, messageIds) {
      threads.update(thread, (state) => ({
        ...state,
        refused: [...new Set([...state.refused, ...messageIds])],
      }));
      const stored = histories.get(threadKey(thread));
      if (stored === undefined) return;
      const dropped = new Set(messageIds);
      const messages = stored.messages.filter((message) => !dropped.has(message.id));
      histories.set(threadKey(thread), { ...stored, messages });
    },
    threadState: async (thread) => threads.read(thread),
    async joinThread(thread) {
      threads.update(thread, (state) => ({ ...state, isJoined: true }));
    },
    async resetThread(thread, at) {
      histories.delete(threadKey(thread));
      threads.update(thread, () => ({ isJoined: true, resetAt: at, refused: [] }));
    },
    settings: async (scopes) =>
      scopes.map((scope) => settings.get(requireName(scope, 'scope')) ?? {}),
    async updateSettings(scope, patch) {
      const merged = applyPatch(settings.get(requireName(scope, 'scope')) ?? {}, patch);
      if (Object.keys(merged).length === 0) settings.delete(scope);
      else settings.set(scope, merged);
      return merged;
    },
    async takeTurn(thread, takeOptions = {}) {
      // An admission here is answered at once; a duplicate's place is never joined.
      if (takeOptions.admitted !== undefined) await requireAdmitted(takeOptions.admitted);
      return turns.take(threadKey(thread), takeOptions, (record) => append(thread, record));
    },
    ping: async () => true,
    async close() {
      turns.close();
    },
  };
}

const NO_STATE: ThreadState = { isJoined: false, resetAt: undefined, refused: [] };

/** Thread states with the history's TTL, refreshed whenever read or written. */
function createThreadStates(now: () => number, ttlMs: number) {
  const states = new Map<string, { state: ThreadState; expiresAt: number }>();
  const read = (thread: ThreadRef): ThreadState => {
    const key = threadKey(thread);
    const entry = states.get(key);
    if (entry === undefined || entry.expiresAt <= now()) {
      states.delete(key);
      return NO_STATE;
    }
    entry.expiresAt = now() + ttlMs;
    return entry.state;
  };
  return {
    read,
    update(thread: ThreadRef, change: (state: ThreadState) => ThreadState): void {
      states.set(threadKey(thread), { state: change(read(thread)), expiresAt: now() + ttlMs });
    },
  };
}

function applyPatch(current: ScopeSettings, patch: SettingsPatch): ScopeSettings {
  const fields: Record<string, string | undefined> = { ...current };
  const { set, remove } = splitPatch(patch);
  for (const [field, value] of set) fields[field] = value;
  for (const field of remove) delete fields[field];
  return readSettings(fields);
}

function createClaims(now: () => number): {
  claim(key: string, ttlMs: number): boolean;
  holds(key: string): boolean;
  forget(key: string): void;
} {
  const expiries = new Map<string, number>();
  let sinceSweep = 0;
  const sweep = (at: number) => {
    for (const [key, expiresAt] of expiries) if (expiresAt <= at) expiries.delete(key);
    sinceSweep = 0;
  };
  return {
    claim(key, ttlMs) {
      const at = now();
      sinceSweep += 1;
      if (sinceSweep >= CLAIM_SWEEP_EVERY) sweep(at);
      const expiresAt = expiries.get(key);
      if (expiresAt !== undefined && expiresAt > at) return false;
      expiries.set(key, at + ttlMs);
      return true;
    },
    holds(key) {
      return (expiries.get(key) ?? Number.NEGATIVE_INFINITY) > now();
    },
    forget(key) {
      expiries.delete(key);
    },
  };
}

/** One taker's place in a thread's line: kept for an adopter, waiting, or holding the turn. */
interface Entry {
  readonly token: string;
  state: 'kept' | 'waiting' | 'held';
  grant?: (() => void) | undefined;
  lapse?: NodeJS.Timeout;
}

interface MemoryTurns {
  admit(key: string, holdMs: number, token?: string): string;
  withdraw(key: string, place: string): void;
  /** True when the place is first in the thread's line. */
  isFirst(key: string, place: string): boolean;
  /** `record` writes what a release is given, just before the line moves on. */
  take(
    key: string,
    options: TakeTurnOptions,
    record: (messages: readonly Message[]) => void,
  ): Promise<Turn>;
  close(): void;
}

/** One FIFO line per thread: the head holds the turn, the rest wait in arrival order. */
function createMemoryTurns(): MemoryTurns {
  const lines = new Map<string, Entry[]>();
  const held = new Set<AbortController>();

  const remove = (key: string, entry: Entry) => {
    clearTimeout(entry.lapse);
    const line = lines.get(key) ?? [];
    const index = line.indexOf(entry);
    if (index !== -1) line.splice(index, 1);
    if (line.length === 0) lines.delete(key);
    pump(key);
  };
  const keep = (key: string, entry: Entry, holdMs: number) => {
    entry.state = 'kept';
    entry.lapse = setTimeout(() => remove(key, entry), holdMs);
    entry.lapse.unref();
  };
  const pump = (key: string) => {
    const head = lines.get(key)?.[0];
    if (head?.state !== 'waiting') return;
    head.state = 'held';
    head.grant?.();
  };
  const join = (key: string, place: string | undefined): Entry => {
    const line = lines.get(key) ?? [];
    lines.set(key, line);
    const kept = line.find((entry) => entry.token === place && entry.state === 'kept');
    if (kept !== undefined) clearTimeout(kept.lapse);
    const entry = kept ?? { token: place ?? randomUUID(), state: 'waiting' };
    entry.state = 'waiting';
    if (kept === undefined) line.push(entry);
    return entry;
  };
  const turnFor = (
    key: string,
    entry: Entry,
    record: (messages: readonly Message[]) => void,
  ): Turn => {
    const controller = new AbortController();
    held.add(controller);
    let isReleased = false;
    const end = () => {
      const wasReleased = isReleased;
      isReleased = true;
      held.delete(controller);
      return wasReleased;
    };
    return {
      signal: controller.signal,
      async release(answer) {
        if (end()) return;
        try {
          if (answer !== undefined) record(answer);
        } finally {
          remove(key, entry);
        }
      },
      abandon() {
        if (!end()) keep(key, entry, ABANDONED_HOLD_MS);
      },
    };
  };

  return {
    admit(key, holdMs, token) {
      const entry: Entry = { token: token ?? randomUUID(), state: 'kept' };
      const line = lines.get(key) ?? [];
      line.push(entry);
      lines.set(key, line);
      keep(key, entry, holdMs);
      return entry.token;
    },
    isFirst: (key, place) => lines.get(key)?.[0]?.token === place,
    withdraw(key, place) {
      const entry = lines.get(key)?.find((candidate) => candidate.token === place);
      if (entry !== undefined) remove(key, entry);
    },
    take(key, options, record) {
      const { signal } = options;
      if (signal?.aborted) return Promise.reject(abortError(signal));
      const entry = join(key, options.place);
      return new Promise<Turn>((resolve, reject) => {
        const onAbort = () => {
          entry.grant = undefined;
          remove(key, entry);
          reject(abortError(signal));
        };
        entry.grant = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(turnFor(key, entry, record));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        pump(key);
      });
    },
    close() {
      for (const controller of held) controller.abort(new Error('store closed'));
      held.clear();
    },
  };
}
