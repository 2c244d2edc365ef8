import { withinMs } from '../core/timing.js';
import type { ConversationStore } from '../store/store.js';

export type PlatformState = 'connected' | 'connecting' | 'disconnected' | 'degraded';

export interface PlatformStatus {
  readonly state: PlatformState;
  /** What a person running Parley should do about it, when anything. */
  readonly detail?: string;
}

/** A platform adapter's live connection state, for `/healthz` and `/readyz`. */
export interface PlatformHealth {
  readonly platform: string;
  status(): PlatformStatus;
}

export interface HealthReport {
  /**
   * Alive: the process can serve. The store answers and, when it runs platforms, at least one
   * of them serves (connected or degraded). `GET /healthz` answers 503 when false.
   */
  readonly ok: boolean;
  /** Ready: the store answers and every platform serves. `GET /readyz` answers 503 when false. */
  readonly ready: boolean;
  readonly store: 'up' | 'down';
  readonly platforms: Readonly<Record<string, PlatformStatus>>;
}

// A health probe must answer fast; a store that takes longer is as good as down.
const STORE_PING_TIMEOUT_MS = 1_000;
// Degraded still answers (Discord without Message Content answers mentions): restarting would
// not fix a setting, so it counts as serving; its detail says what to change.
const SERVING_STATES: ReadonlySet<PlatformState> = new Set(['connected', 'degraded']);

/** Builds the health check behind `/healthz` (alive) and `/readyz` (ready). */
export function createHealthCheck(
  store: ConversationStore,
  platforms: () => readonly PlatformHealth[],
): () => Promise<HealthReport> {
  return async () => {
    const isStoreUp = await pingWithin(store, STORE_PING_TIMEOUT_MS);
    const statuses = Object.fromEntries(
      platforms().map((health) => [health.platform, health.status()]),
    );
    return assessHealth(isStoreUp, statuses);
  };
}

/**
 * Alive unless the store is down or every platform it runs has stopped serving (a worker runs
 * none); a platform reconnecting beside one that serves is reported, not fatal. Ready only
 * when everything serves.
 */
export function assessHealth(
  isStoreUp: boolean,
  platforms: Readonly<Record<string, PlatformStatus>>,
): HealthReport {
  const serving = Object.values(platforms).map((status) => SERVING_STATES.has(status.state));
  const isAnyServing = serving.length === 0 || serving.includes(true);
  return {
    ok: isStoreUp && isAnyServing,
    ready: isStoreUp && serving.every(Boolean),
    store: isStoreUp ? 'up' : 'down',
    platforms,
  };
}

function pingWithin(store: ConversationStore, ms: number): Promise<boolean> {
  return withinMs(
    store.ping().catch(() => false),
    ms,
    false,
  );
}
