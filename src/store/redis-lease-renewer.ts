import type { Logger } from '../log/logger.js';

/** A lease to renew: a queued taker's (kept alive so it is not skipped) or a holder's. */
export interface Lease {
  readonly key: string;
  readonly isHeld: boolean;
}

/** Renews every lease of this store instance on one timer, in one round trip per tick. */
export interface LeaseRenewer {
  /** Keeps a queued taker's lease alive. */
  wait(key: string): void;
  /** Keeps a holder's lease alive; `onLost` runs once if it is found lapsed. */
  hold(key: string, onLost: (reason: Error) => void): void;
  remove(key: string): void;
  /** Stops renewing; holders are told their turn is lost. */
  stop(): void;
}

export interface LeaseRenewerDeps {
  readonly leaseMs: number;
  /** Renews the leases; for each, false when a held lease was found lapsed. */
  readonly renew: (leases: readonly Lease[]) => Promise<readonly boolean[]>;
  readonly logger: Logger;
}

interface Entry extends Lease {
  readonly onLost?: (reason: Error) => void;
}

// Three renewals per lease: one slow or failed renewal still leaves two chances before it lapses.
const RENEWALS_PER_LEASE = 3;

/** Creates the renewer; its timer runs only while some lease is registered. */
export function createLeaseRenewer(deps: LeaseRenewerDeps): LeaseRenewer {
  const entries = new Map<string, Entry>();
  let isRenewing = false;
  let isStopped = false;
  const ticker = createTicker(deps.leaseMs / RENEWALS_PER_LEASE, async () => {
    if (isRenewing) return;
    isRenewing = true;
    await renewAll(deps, entries).finally(() => {
      isRenewing = false;
      ticker.run(entries.size > 0 && !isStopped);
    });
  });
  const put = (entry: Entry) => {
    if (isStopped) return entry.onLost?.(new Error('store closed'));
    entries.set(entry.key, entry);
    ticker.run(true);
  };
  return {
    wait: (key) => put({ key, isHeld: false }),
    hold: (key, onLost) => put({ key, isHeld: true, onLost }),
    remove(key) {
      entries.delete(key);
      ticker.run(entries.size > 0);
    },
    stop() {
      isStopped = true;
      ticker.run(false);
      const held = [...entries.values()];
      entries.clear();
      for (const entry of held) entry.onLost?.(new Error('store closed'));
    },
  };
}

/** One renewal round; a held lease found lapsed is dropped and its holder told. */
async function renewAll(deps: LeaseRenewerDeps, entries: Map<string, Entry>): Promise<void> {
  const leases = [...entries.values()];
  if (leases.length === 0) return;
  try {
    const renewed = await deps.renew(leases);
    leases.forEach((lease, index) => {
      if (renewed[index] !== false || entries.get(lease.key) !== lease) return;
      entries.delete(lease.key);
      lease.onLost?.(new Error('turn lease lapsed'));
    });
  } catch (error) {
    deps.logger.warn('turn lease renewal failed', { error, leases: leases.length });
  }
}

/** An interval timer that is started and stopped on demand. */
function createTicker(
  intervalMs: number,
  tick: () => Promise<void>,
): { run(isActive: boolean): void } {
  let timer: NodeJS.Timeout | undefined;
  return {
    run(isActive) {
      if (isActive && timer === undefined) {
        timer = setInterval(() => void tick(), intervalMs);
        // A held turn alone should not keep a finished process alive.
        timer.unref();
      } else if (!isActive && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    },
  };
}
