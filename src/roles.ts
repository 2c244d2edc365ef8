import type { SlackAdapter } from '../adapters/slack/slack-adapter.js';
import { type Core, createCore } from './app.js';
import type { Config } from './config/config.js';
import { createDirectInbox, createPortRegistry, type Inbox } from './core/replies.js';
import { withinMs } from './core/timing.js';
import { createHealthCheck, type PlatformHealth } from './http/health.js';
import { createHttpServer, type HttpServer } from './http/http-server.js';
import type { Logger } from './log/logger.js';
import { createWorkQueue, type QueueSettings, type WorkQueue } from './queue/reply-queue.js';
import { createWorkRunner, type WorkRunner } from './queue/work-runner.js';
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
  /** Stops ingress first, then lets work under way finish (up to `graceMs` in all), then closes. */
  stop(graceMs: number): Promise<void>;
}

interface Queueing {
  readonly work: WorkState;
  readonly queue: WorkQueue;
  runner?: WorkRunner;
}

type Registry = ReturnType<typeof createPortRegistry>;

/**
 * Builds the parts a role needs. Without REDIS_URL everything runs here (`all` only). With it,
 * ingress (`web`: Slack over HTTP; `discord`: the gateway) admits and enqueues, workers answer.
 * A platform's SDK is loaded only when that platform is configured.
 */
export async function composeRole(role: Role, config: Config, logger: Logger): Promise<Running> {
  let queueing: Queueing | undefined;
  const core = createCore(config, logger, {
    onAgentRateLimited: (ms) => queueing?.runner?.rateLimit(ms),
  });
  const platforms: RunningPlatform[] = [];
  const registry = createPortRegistry();
  queueing =
    config.redisUrl === undefined
      ? undefined
      : startQueueing(config.redisUrl, config, core, registry, logger);
  const http = createHttpServer({
    logger,
    metrics: core.metrics,
    health: createHealthCheck(core.store, () => platforms),
  });
  const queue = queueing?.queue;
  if (queue !== undefined) core.roleplay.scheduleWith((thread) => queue.schedulePlay(thread));
  const shared = {
    inbox: queue ?? (createDirectInbox(core.dispatcher, registry.find) satisfies Inbox),
    commands: core.commands,
    store: core.store,
    access: core.access,
    logger,
    roleplay: { engine: core.roleplay, roster: config.roster, limits: config.roleplay },
    ackAfterSubmit: queue !== undefined,
  };
  const runsIngress = (part: Role): boolean => role === 'all' || role === part;
  if (config.slack !== undefined && runsIngress('web')) {
    const slack: SlackAdapter = (
      await import('../adapters/slack/slack-adapter.js')
    ).createSlackAdapter(config.slack, { ...shared, http });
    registry.add(slack.port);
    platforms.push(slack);
  }
  if (config.discord !== undefined && runsIngress('discord')) {
    const { createDiscordAdapter } = await import('../adapters/discord/discord-adapter.js');
    const discord = createDiscordAdapter(config.discord, { ...shared, roster: config.roster });
    registry.add(discord.port);
    platforms.push(discord);
  }
  const isWorker = queueing !== undefined && (role === 'all' || role === 'worker');
  if (isWorker) await addWorkerPorts(config, logger, registry);
  // Whoever drives a play (this process, or a worker) stages it through the platform's port.
  for (const port of registry.all()) stagePlaysThrough(core.roleplay, port);
  if (queueing !== undefined && isWorker)
    queueing.runner = startRunner(config, core, queueing, registry, logger);
  return {
    core,
    http,
    platforms,
    stop: (graceMs) => stopAll({ core, http, platforms, queueing }, graceMs),
  };
}

/** Ingress stops first; then work under way gets what is left of the grace; then connections close. */
async function stopAll(
  parts: Pick<Running, 'core' | 'http' | 'platforms'> & { readonly queueing: Queueing | undefined },
  graceMs: number,
): Promise<void> {
  const started = Date.now();
  const left = () => Math.max(0, started + graceMs - Date.now());
  const step = async (name: string, work: () => Promise<unknown> | undefined) => {
    await work();
    parts.core.logger.info('shutdown step done', { step: name, ms: Date.now() - started });
  };
  await step('ingress', () =>
    Promise.allSettled(parts.platforms.map((platform) => platform.stop())),
  );
  await step('workers', () => parts.queueing?.runner?.close(left()));
  await step('http', () => parts.http.close());
  await step('core', () => parts.core.close(left()));
  // Closing a connection waits for its replies; one that never comes must not hold the exit.
  await step('queues', () => bounded(parts.queueing?.queue.close()));
  await step('work state', () => bounded(parts.queueing?.work.close()));
}

// How long closing a Redis connection may take once the work is done.
const CONNECTION_CLOSE_MS = 2_000;

function bounded(closing: Promise<void> | undefined): Promise<void> | undefined {
  return closing === undefined ? undefined : withinMs(closing, CONNECTION_CLOSE_MS, undefined);
}

function startQueueing(
  redisUrl: string,
  config: Config,
  core: Core,
  registry: Registry,
  logger: Logger,
): Queueing {
  const work = createRedisWorkState({ url: redisUrl, keyPrefix: `${config.redisPrefix}:`, logger });
  // A process that also runs a worker answers what it admits at once (see queue/here-first).
  const here = () => queueing.runner?.here;
  const deps = { store: core.store, ports: registry.find, logger, here };
  const queueing: Queueing = {
    work,
    queue: createWorkQueue({ ...settingsOf(config), redisUrl }, deps),
  };
  return queueing;
}

function startRunner(
  config: Config,
  core: Core,
  queueing: Queueing,
  registry: Registry,
  logger: Logger,
): WorkRunner {
  return createWorkRunner(settingsOf(config), {
    dispatcher: core.dispatcher,
    ports: registry.find,
    work: queueing.work,
    requeue: queueing.queue.requeue,
    logger,
    drivePlay: (thread) => core.roleplay.drive(thread),
    handBackPlays: () => core.roleplay.drain(),
  });
}

function settingsOf(config: Config): QueueSettings {
  return {
    redisUrl: config.redisUrl ?? '',
    prefix: `${config.redisPrefix}-queue`,
    lockMs: config.queue.lockMs,
    concurrency: config.queue.concurrency,
    playConcurrency: config.queue.playConcurrency,
    agentCallsPerSecond: config.queue.agentCallsPerSecond,
  };
}

/** A worker posts on every configured platform, whether or not this process runs its ingress. */
async function addWorkerPorts(config: Config, logger: Logger, registry: Registry): Promise<void> {
  if (config.slack !== undefined && registry.find('slack') === undefined) {
    const { createSlackReplyPort } = await import('../adapters/slack/slack-port.js');
    registry.add(createSlackReplyPort(config.slack, logger.child({ platform: 'slack' })));
  }
  if (config.discord !== undefined && registry.find('discord') === undefined) {
    const [{ discordRest }, { createDiscordReplyPort }] = await Promise.all([
      import('../adapters/discord/discord-adapter.js'),
      import('../adapters/discord/discord-port.js'),
    ]);
    const rest = discordRest(config.discord);
    registry.add(createDiscordReplyPort(rest, logger.child({ platform: 'discord' })));
  }
}
