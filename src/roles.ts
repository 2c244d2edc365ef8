import { createDiscordAdapter, discordRest } from '../adapters/discord/discord-adapter.js';
import { createDiscordReplyPort } from '../adapters/discord/discord-port.js';
import { createSlackAdapter } from '../adapters/slack/slack-adapter.js';
import { createSlackReplyPort } from '../adapters/slack/slack-port.js';
import { type Core, createCore } from './app.js';
import type { Config } from './config/config.js';
import { createDirectInbox, createPortRegistry, type Inbox } from './core/replies.js';
import { createHealthCheck, type PlatformHealth } from './http/health.js';
import { createHttpServer, type HttpServer } from './http/http-server.js';
import type { Logger } from './log/logger.js';
import {
  createWorkQueue,
  createWorkRunner,
  type QueueSettings,
  type WorkQueue,
  type WorkRunner,
} from './queue/reply-queue.js';
import type { WorkState } from './queue/work-state.js';
import { stagePlaysThrough } from './roleplay/port-stage.js';
import { createRedisWorkState } from './store/redis-work-state.js';

/** What one process does: everything, or one part of a scaled-out deployment. */
export type Role = 'all' | 'web' | 'discord' | 'worker';
export const ROLES: readonly Role[] = ['all', 'web', 'discord', 'worker'];

export interface RunningPlatform extends PlatformHealth {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A started process: its parts, and how to stop them in order. */
export interface Running {
  readonly core: Core;
  readonly http: HttpServer;
  readonly platforms: readonly RunningPlatform[];
  /** Stops ingress first, then lets work under way finish (up to `graceMs`), then closes. */
  stop(graceMs: number): Promise<void>;
}

interface Queueing {
  readonly work: WorkState;
  readonly queue: WorkQueue;
  runner?: WorkRunner;
}

/**
 * Builds the parts a role needs. Without REDIS_URL everything runs here (`all` only). With it,
 * ingress (`web`: Slack over HTTP; `discord`: the gateway) enqueues and workers answer.
 */
export function composeRole(role: Role, config: Config, logger: Logger): Running {
  let queueing: Queueing | undefined;
  const core = createCore(config, logger, {
    onAgentRateLimited: (ms) => queueing?.runner?.rateLimit(ms),
  });
  queueing =
    config.redisUrl === undefined ? undefined : startQueueing(config.redisUrl, config, logger);
  const platforms: RunningPlatform[] = [];
  const http = createHttpServer({
    logger,
    metrics: core.metrics,
    health: createHealthCheck(core.store, () => platforms),
  });
  const registry = createPortRegistry();
  const inbox: Inbox = queueing?.queue ?? createDirectInbox(core.dispatcher, registry.find);
  const queue = queueing?.queue;
  if (queue !== undefined) core.roleplay.scheduleWith((thread) => queue.schedulePlay(thread));
  const roleplay = { engine: core.roleplay, roster: config.roster, limits: config.roleplay };
  const shared = {
    inbox,
    commands: core.commands,
    store: core.store,
    logger,
    roleplay,
    ackAfterSubmit: queue !== undefined,
  };
  const runsIngress = (part: Role): boolean => role === 'all' || role === part;
  if (config.slack !== undefined && runsIngress('web')) {
    const slack = createSlackAdapter(config.slack, { ...shared, http });
    registry.add(slack.port);
    platforms.push(slack);
  }
  if (config.discord !== undefined && runsIngress('discord')) {
    const discord = createDiscordAdapter(config.discord, { ...shared, roster: config.roster });
    registry.add(discord.port);
    platforms.push(discord);
  }
  if (queueing !== undefined && (role === 'all' || role === 'worker'))
    addWorkerPorts(config, logger, registry);
  // Whoever drives a play (this process, or a worker) stages it through the platform's port.
  for (const port of registry.all()) stagePlaysThrough(core.roleplay, port);
  if (queueing !== undefined && (role === 'all' || role === 'worker')) {
    queueing.runner = createWorkRunner(settingsOf(config), {
      dispatcher: core.dispatcher,
      ports: registry.find,
      work: queueing.work,
      logger,
      drivePlay: (thread) => core.roleplay.drive(thread),
    });
  }
  return {
    core,
    http,
    platforms,
    async stop(graceMs) {
      await Promise.allSettled(platforms.map((platform) => platform.stop()));
      await queueing?.runner?.close(graceMs);
      await http.close();
      await core.close(graceMs);
      await queueing?.queue.close();
      await queueing?.work.close();
    },
  };
}

function startQueueing(redisUrl: string, config: Config, logger: Logger): Queueing {
  const work = createRedisWorkState({ url: redisUrl, keyPrefix: `${config.redisPrefix}:`, logger });
  return { work, queue: createWorkQueue({ ...settingsOf(config), redisUrl }, work, logger) };
}

function settingsOf(config: Config): QueueSettings {
  return {
    redisUrl: config.redisUrl ?? '',
    prefix: `${config.redisPrefix}-queue`,
    lockMs: config.queue.lockMs,
    concurrency: config.queue.concurrency,
    agentCallsPerSecond: config.queue.agentCallsPerSecond,
  };
}

/** A worker posts on every configured platform, whether or not this process runs its ingress. */
function addWorkerPorts(
  config: Config,
  logger: Logger,
  registry: ReturnType<typeof createPortRegistry>,
): void {
  if (config.slack !== undefined && registry.find('slack') === undefined) {
    registry.add(createSlackReplyPort(config.slack, logger.child({ platform: 'slack' })));
  }
  if (config.discord !== undefined && registry.find('discord') === undefined) {
    registry.add(
      createDiscordReplyPort(discordRest(config.discord), logger.child({ platform: 'discord' })),
    );
  }
}
