import type { Logger } from '../log/logger.js';
import type { AgentInfo } from './agent-client.js';

// Agent names rarely change; an hour keeps lookups off the hot path without going stale for long.
const NAME_TTL_MS = 60 * 60 * 1000;
// A failed lookup is retried after a minute, not on every message.
const FAILURE_TTL_MS = 60 * 1000;

interface Entry {
  readonly info: Promise<AgentInfo>;
  readonly expiresAt: number;
}

/** Caches agent lookups; a failed lookup yields an unnamed agent rather than an error. */
export function describeCache(
  lookup: (agentId: string) => Promise<AgentInfo>,
  log: Logger,
  now: () => number = Date.now,
): (agentId: string) => Promise<AgentInfo> {
  const entries = new Map<string, Entry>();
  return (agentId) => {
    const cached = entries.get(agentId);
    if (cached && cached.expiresAt > now()) return cached.info;
    const info = lookup(agentId).catch((error: unknown) => {
      log.warn('agent lookup failed', { agentId, error });
      entries.set(agentId, { info, expiresAt: now() + FAILURE_TTL_MS });
      return { id: agentId, name: undefined, exists: undefined };
    });
    entries.set(agentId, { info, expiresAt: now() + NAME_TTL_MS });
    return info;
  };
}
