import type { Message } from '../core/model.js';
import { type ThreadRef, threadKey } from '../core/model.js';
import type {
  ConversationStore,
  HistoryLimits,
  ScopeSettings,
  SettingsPatch,
  TakeTurnOptions,
  Turn,
} from './store.js';
import { abortError, readSettings, requireName, requireTtlMs, splitPatch } from './store-input.js';
import { keepWithinLimits, toStoredMessage } from './stored-message.js';

export interface MemoryStoreOptions {
  readonly limits: HistoryLimits;
  /** The clock TTLs are measured on (tests move it by hand). */
  readonly now?: () => number;
}

interface StoredHistory {
  readonly messages: readonly Message[];
  readonly expiresAt: number;
}

// Expired claims are only found when their key is claimed again; a full sweep every this many
// claims keeps a long-running process from holding every delivery id it ever saw.
const CLAIM_SWEEP_EVERY = 1_000;

/** A ConversationStore held in this process: for one instance, development and tests. */
export function createMemoryConversationStore(options: MemoryStoreOptions): ConversationStore {
  const now = options.now ?? Date.now;
  const claims = createClaims(now);
  const histories = new Map<string, StoredHistory>();
  const settings = new Map<string, ScopeSettings>();
  const turns = createMemoryTurns();

  const historyOf = (thread: ThreadRef): readonly Message[] => {
    const key = threadKey(thread);
    const stored = histories.get(key);
    if (stored === undefined) return [];
    if (stored.expiresAt > now()) return stored.messages;
    histories.delete(key);
    return [];
  };

  return {
    claim: async (key, ttlMs) => claims.claim(requireName(key, 'claim key'), requireTtlMs(ttlMs)),
    isClaimed: async (key) => claims.holds(requireName(key, 'claim key')),
    async append(thread, messages) {
      const added = messages.map(toStoredMessage);
      const kept = keepWithinLimits([...historyOf(thread), ...added], options.limits);
      histories.set(threadKey(thread), { messages: kept, expiresAt: now() + options.limits.ttlMs });
      return kept;
    },
    history: async (thread) => historyOf(thread),
    historyLength: async (thread) => historyOf(thread).length,
    async clear(thread) {
      histories.delete(threadKey(thread));
    },
    settings: async (scopes) =>
      scopes.map((scope) => settings.get(requireName(scope, 'scope')) ?? {}),
    async updateSettings(scope, patch) {
      const merged = applyPatch(settings.get(requireName(scope, 'scope')) ?? {}, patch);
      if (Object.keys(merged).length === 0) settings.delete(scope);
      else settings.set(scope, merged);
      return merged;
    },
    takeTurn: async (thread, takeOptions) => turns.take(threadKey(thread), takeOptions),
    ping: async () => true,
    async close() {
      turns.close();
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
  };
}

interface Waiter {
  grant(): void;
}

/** One FIFO line per thread: the head holds the turn, the rest wait in arrival order. */
function createMemoryTurns(): {
  take(key: string, options?: TakeTurnOptions): Promise<Turn>;
  close(): void;
} {
  const lines = new Map<string, Waiter[]>();
  const held = new Set<AbortController>();

  const passOn = (key: string) => {
    const waiting = lines.get(key);
    const next = waiting?.shift();
    if (next === undefined) lines.delete(key);
    else next.grant();
  };

  const turnFor = (key: string): Turn => {
    const controller = new AbortController();
    held.add(controller);
    let isReleased = false;
    return {
      signal: controller.signal,
      async release() {
        if (isReleased) return;
        isReleased = true;
        held.delete(controller);
        passOn(key);
      },
    };
  };

  const take = (key: string, options: TakeTurnOptions = {}): Promise<Turn> => {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const waiting = lines.get(key);
    if (waiting === undefined) {
      lines.set(key, []);
      return Promise.resolve(turnFor(key));
    }
    return new Promise<Turn>((resolve, reject) => {
      const onAbort = () => {
        waiting.splice(waiting.indexOf(waiter), 1);
        reject(abortError(signal));
      };
      const waiter: Waiter = {
        grant() {
          signal?.removeEventListener('abort', onAbort);
          resolve(turnFor(key));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(waiter);
    });
  };

  return {
    take,
    close() {
      for (const controller of held) controller.abort(new Error('store closed'));
      held.clear();
    },
  };
}
