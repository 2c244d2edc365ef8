import { withinMs } from '../core/timing.js';
import type { ConversationStore } from '../store/store.js';

export type PlatformState = 'connected' | 'connecting' | 'disconnected' | 'degraded';

export interface PlatformStatus {
  readonly state: PlatformState;
  /** What a person running Parley should do about it, when anything. */
  readonly detail?: string;
}

/** A platform adapter's live connection state, for `/healthz`. */
export interface PlatformHealth {
  readonly platform: string;
  status(): PlatformStatus;
}

export interface HealthReport {
  readonly ok: boolean;
  readonly store: 'up' | 'down';
  readonly platforms: Readonly<Record<string, PlatformStatus>>;
}

// A health probe must answer fast; a store that takes longer is as good as down.
const STORE_PING_TIMEOUT_MS = 1_000;

/** Builds the health check: healthy when the store answers and every platform is connected. */
export function createHealthCheck(
  store: ConversationStore,
  platforms: () => readonly PlatformHealth[],
): () => Promise<HealthReport> {
  return async () => {
    const isStoreUp = await pingWithin(store, STORE_PING_TIMEOUT_MS);
    const statuses = Object.fromEntries(
      platforms().map((health) => [health.platform, health.status()]),
    );
    const arePlatformsUp = Object.values(statuses).every((status) => status.state === 'connected');
    return {
      ok: isStoreUp && arePlatformsUp,
      store: isStoreUp ? 'up' : 'down',
      platforms: statuses,
    };
  };
}

function pingWithin(store: ConversationStore, ms: number): Promise<boolean> {
  return withinMs(
    store.ping().catch(() => false),
    ms,
    false,
  );
}
