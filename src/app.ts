import { type Access, createAccess } from './access/access.js';
import { playQuotaOf } from './access/play-limits.js';
import { createMemoryRateLimiter, type RateLimiter } from './access/rate-limit.js';
import type { AgentClient } from './agent/agent-client.js';
import { createMistralAgentClient } from './agent/mistral-client.js';
import type { DocumentRegistry } from './agent/mistral-documents.js';
import type { Config } from './config/config.js';
import type { Roster } from './config/roster.js';
import { type ConversationCommands, createConversationCommands } from './core/commands.js';
import { createDispatcher, type Dispatcher } from './core/dispatcher.js';
import type { Persona } from './core/model.js';
import { withinMs } from './core/timing.js';
import type { Logger } from './log/logger.js';
import { createPrometheusMetrics, type Metrics } from './metrics/metrics.js';
import { createMemoryPlayStore } from './roleplay/memory-play-store.js';
import type { PlayStore } from './roleplay/play.js';
import { createRoleplayEngine, type RoleplayEngine } from './roleplay/roleplay-engine.js';
import { guardStore } from './store/guarded-store.js';
import { createMemoryConversationStore } from './store/memory-store.js';
import { createRedisDocumentRegistry } from './store/redis-documents.js';
import { createRedisPlayStore } from './store/redis-play-store.js';
import { createRedisRateLimiter } from './store/redis-rate-limit.js';
import { createRedisConversationStore } from './store/redis-store.js';
import type { ConversationStore } from './store/store.js';

/** Everything platform-independent, wired once. */
export interface Core {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: ConversationStore;
  readonly agent: AgentClient;
  readonly metrics: Metrics;
  readonly dispatcher: Dispatcher;
  readonly commands: ConversationCommands;
  readonly roleplay: RoleplayEngine;
  /** Who may use Parley, where, and how much (checked by the adapters at ingress). */
  readonly access: Access;
  /** Lets replies under way finish (up to `graceMs`), then closes the store. */
  close(graceMs: number): Promise<void>;
}

export interface CoreOverrides {
  readonly agent?: AgentClient;
  readonly store?: ConversationStore;
  readonly plays?: PlayStore;
  readonly rateLimiter?: RateLimiter;
  readonly metrics?: Metrics;
  /** Told when the agent answers 429 (a work queue slows every worker). */
  readonly onAgentRateLimited?: (waitMs: number) => void;
  /** Adopt role-plays whose process died (servers); the console chat only plays its own. */
  readonly adoptPlays?: boolean;
}

// Several processes share Redis: one adopts a play whose process died within this long.
const ROLEPLAY_ADOPT_EVERY_MS = 15_000;
// Deleting the documents uploaded to Mistral at shutdown; past this they are left there.
const AGENT_CLOSE_MS = 2_000;

/** How an agent is shown when an answer is handed to it: its roster name and avatar, else its own name. */
export function personaFromRoster(roster: Roster, agentId: string, agentName: string): Persona {
  const profile = [...roster.values()].find((entry) => entry.id === agentId);
  const name = profile?.name ?? (agentName.trim() || profile?.alias || agentId);
  return {
    name,
    ...(profile?.avatarUrl === undefined ? {} : { avatarUrl: profile.avatarUrl }),
  };
}

/** Builds the core from configuration; tests may swap any part. */
export function createCore(config: Config, logger: Logger, overrides: CoreOverrides = {}): Core {
  const store = guardStore(overrides.store ?? createStore(config, logger));
  const onRateLimited = overrides.onAgentRateLimited;
  const documentRegistry =
    overrides.agent === undefined ? createDocumentRegistry(config, logger) : undefined;
  const agent =
    overrides.agent ??
    createMistralAgentClient(config.mistral, {
      logger,
      ...(onRateLimited === undefined ? {} : { onRateLimited }),
      ...(documentRegistry && { documentRegistry }),
    });
  const metrics = overrides.metrics ?? createPrometheusMetrics({ collectProcess: true });
  const dispatcher = createDispatcher({
    store,
    agent,
    defaultAgentId: config.mistral.defaultAgentId,
    logger,
    metrics,
    personaOf: (agentId, agentName) => personaFromRoster(config.roster, agentId, agentName),
  });
  const plays = overrides.plays ?? createPlays(config, logger);
  const access = createAccess({
    config: config.access,
    limiter: overrides.rateLimiter ?? createRateLimiter(config, logger),
    store,
    onRefused: (reason) => metrics.refused(reason),
    logger,
  });
  const roleplay = createRoleplayEngine({
    plays,
    store,
    agent,
    logger,
    pauseMs: config.roleplay.pauseMs,
    budget: { maxMessages: config.history.maxMessages, maxChars: config.history.maxChars },
    adoptEveryMs:
      config.redisUrl === undefined || overrides.adoptPlays === false ? 0 : ROLEPLAY_ADOPT_EVERY_MS,
    quota: playQuotaOf(access),
  });
  const commands = createConversationCommands({
    store,
    agent,
    roster: config.roster,
    defaultAgentId: config.mistral.defaultAgentId,
    onRefused: (reason) => metrics.refused(reason),
  });
  return {
    config,
    logger,
    store,
    agent,
    metrics,
    dispatcher,
    commands,
    roleplay,
    access,
    async close(graceMs) {
      await roleplay.drain();
      await dispatcher.drain(graceMs);
      // Nothing reads the documents any more: they are deleted, within a bound.
      await withinMs(agent.close?.() ?? Promise.resolve(), AGENT_CLOSE_MS, undefined);
      await documentRegistry?.close();
      await plays.close();
      await access.close();
      await store.close();
    },
  };
}

function createPlays(config: Config, logger: Logger): PlayStore {
  if (config.redisUrl === undefined) return createMemoryPlayStore();
  return createRedisPlayStore({
    url: config.redisUrl,
    // The conversation store's prefix: a deployment's plays are its own, as its threads are.
    keyPrefix: `${config.redisPrefix}:`,
    logger: logger.child({ component: 'redis-plays' }),
  });
}

/** USER_RATE_LIMIT's counts: shared through Redis, or this process's own. */
/** With Redis, the documents every process holds at Mistral are noted there (see DocumentRegistry). */
function createDocumentRegistry(config: Config, logger: Logger): DocumentRegistry | undefined {
  if (config.redisUrl === undefined) return undefined;
  return createRedisDocumentRegistry({
    url: config.redisUrl,
    keyPrefix: `${config.redisPrefix}:`,
    logger,
  });
}

function createRateLimiter(config: Config, logger: Logger): RateLimiter {
  if (config.redisUrl === undefined || config.access.userRateLimit === undefined)
    return createMemoryRateLimiter();
  return createRedisRateLimiter({
    url: config.redisUrl,
    keyPrefix: `${config.redisPrefix}:`,
    logger,
  });
}

function createStore(config: Config, logger: Logger): ConversationStore {
  if (config.redisUrl !== undefined) {
    return createRedisConversationStore({
      url: config.redisUrl,
      limits: config.history,
      leaseMs: config.turnLeaseMs,
      // A job picked up by a worker that died before adopting its place is retried after the
      // same takeover the lease covers: the place must wait as long.
      placeHoldMs: config.turnLeaseMs,
      keyPrefix: `${config.redisPrefix}:`,
      logger: logger.child({ component: 'redis' }),
    });
  }
  logger.warn(
    'in-memory store: conversations live in this process only; set REDIS_URL to share and keep them',
    {},
  );
  return createMemoryConversationStore({ limits: config.history });
}
