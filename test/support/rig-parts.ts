import type { RateLimiter } from '../../src/access/rate-limit.js';
import { type Core, createCore } from '../../src/app.js';
import { type Config, type Env, loadConfig } from '../../src/config/config.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { createPrometheusMetrics } from '../../src/metrics/metrics.js';
import { createMemoryPlayStore } from '../../src/roleplay/memory-play-store.js';
import type { PlayStore } from '../../src/roleplay/play.js';
import type { RoleplaySetup } from '../../src/roleplay/roleplay-engine.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import type { ConversationStore } from '../../src/store/store.js';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';

/** A fake Mistral with a main agent and an `other` one, and the env that points Parley at it. */
export async function startRigMistral(
  prefix: string,
): Promise<{ mistral: FakeMistral; env: Env; agent: string; otherAgent: string }> {
  const agent = `ag:${prefix}:main`;
  const otherAgent = `ag:${prefix}:other`;
  const apiKey = `mistral-secret-key-for-${prefix}-tests`;
  const mistral = await startFakeMistral({
    apiKey,
    agents: [
      { id: agent, name: 'Main Agent' },
      { id: otherAgent, name: 'Other Agent' },
    ],
  });
  const env: Env = {
    MISTRAL_API_KEY: apiKey,
    MISTRAL_AGENT_ID: agent,
    MISTRAL_SERVER_URL: mistral.url,
    AGENTS: `main=${agent},other=${otherAgent}`,
    AGENT_RETRY_BUDGET_MS: '0',
    ROLEPLAY_PAUSE_MS: '0',
  };
  return { mistral, env, agent, otherAgent };
}

/** Loads a test configuration, failing loudly when it is not valid. */
export function testConfig(env: Env): Config {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`bad test config: ${result.problems.join('; ')}`);
  return result.config;
}

/** A debug-level logger that keeps every line, to check what Parley logs (and never logs). */
export function capturingLogger(secrets: readonly string[]): {
  logger: Logger;
  logs: () => string;
} {
  let text = '';
  const logger = createLogger({
    level: 'debug',
    secrets,
    destination: {
      write: (line: string) => {
        text += line;
      },
    },
  });
  return { logger, logs: () => text };
}

/** Stores a test may share between two Parley instances (two processes, or one restarted). */
export interface SharedStores {
  readonly store?: ConversationStore;
  readonly plays?: PlayStore;
  /** USER_RATE_LIMIT's counts (Redis to share them); memory by default. */
  readonly rateLimiter?: RateLimiter;
}

/** The core over the given stores (memory by default), with metrics of its own. */
export function testCore(config: Config, logger: Logger, shared: SharedStores = {}): Core {
  const store = shared.store ?? createMemoryConversationStore({ limits: config.history });
  const plays = shared.plays ?? createMemoryPlayStore();
  const limiter = shared.rateLimiter === undefined ? {} : { rateLimiter: shared.rateLimiter };
  return createCore(config, logger, {
    store,
    plays,
    ...limiter,
    metrics: createPrometheusMetrics(),
  });
}

/** What adapters need for `/roleplay`, from a core. */
export function roleplaySetup(core: Core): RoleplaySetup {
  return { engine: core.roleplay, roster: core.config.roster, limits: core.config.roleplay };
}
