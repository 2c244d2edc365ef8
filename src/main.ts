import { pino } from 'pino';
import { createConsoleAdapter } from '../adapters/console/console-adapter.js';
import { createDiscordAdapter } from '../adapters/discord/discord-adapter.js';
import { createSlackAdapter } from '../adapters/slack/slack-adapter.js';
import { type Core, createCore } from './app.js';
import { type Config, enabledPlatforms, loadConfig, NO_PLATFORM_HELP } from './config/config.js';
import { environmentWithDotEnv } from './config/env-file.js';
import { createDirectInbox, createPortRegistry } from './core/replies.js';
import { createHealthCheck, type PlatformHealth } from './http/health.js';
import { createHttpServer } from './http/http-server.js';
import { createLogger, type Logger } from './log/logger.js';

// Replies under way get this long to finish on SIGTERM; most platforms' hosts wait 30 s.
const SHUTDOWN_GRACE_MS = 20_000;

type Mode = 'serve' | 'chat';

function secretsOf(config: Config): (string | undefined)[] {
  return [
    config.mistral.apiKey,
    config.slack?.botToken,
    config.slack?.signingSecret,
    config.slack?.appToken,
    config.discord?.token,
    config.redisUrl === undefined ? undefined : passwordOf(config.redisUrl),
  ];
}

function passwordOf(url: string): string | undefined {
  const password = new URL(url).password;
  return password === '' ? undefined : decodeURIComponent(password);
}

function readConfig(): Config {
  const result = loadConfig(environmentWithDotEnv(process.env));
  if (result.ok) return result.config;
  process.stderr.write(`Parley cannot start — fix these settings (environment or .env):\n`);
  for (const problem of result.problems) process.stderr.write(`  • ${problem}\n`);
  process.exit(2);
}

async function chat(config: Config): Promise<void> {
  // The chat owns stdout; logs go to stderr and only from warnings up, unless asked.
  const level = process.env.LOG_LEVEL ? config.logLevel : 'warn';
  const logger = createLogger({
    level,
    secrets: secretsOf(config),
    destination: pino.destination(2),
  });
  const core = createCore(config, logger);
  const adapter = createConsoleAdapter({
    dispatcher: core.dispatcher,
    commands: core.commands,
    input: process.stdin,
    output: process.stdout,
    userName: process.env.USER ?? 'you',
    isInteractive: process.stdin.isTTY === true,
    roleplay: { engine: core.roleplay, roster: config.roster, limits: config.roleplay },
  });
  await adapter.run();
  await core.close(0);
}

interface RunningPlatform extends PlatformHealth {
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function serve(config: Config): Promise<void> {
  if (enabledPlatforms(config).length === 0) {
    process.stderr.write(`${NO_PLATFORM_HELP}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const core = createCore(config, logger);
  const platforms: RunningPlatform[] = [];
  const http = createHttpServer({
    logger,
    metrics: core.metrics,
    health: createHealthCheck(core.store, () => platforms),
  });
  const roleplay = { engine: core.roleplay, roster: config.roster, limits: config.roleplay };
  const registry = createPortRegistry();
  const inbox = createDirectInbox(core.dispatcher, registry.find);
  const shared = { inbox, commands: core.commands, store: core.store, logger, roleplay };
  if (config.slack !== undefined) {
    const slack = createSlackAdapter(config.slack, { ...shared, http });
    registry.add(slack.port);
    platforms.push(slack);
  }
  if (config.discord !== undefined) {
    const discord = createDiscordAdapter(config.discord, { ...shared, roster: config.roster });
    registry.add(discord.port);
    platforms.push(discord);
  }
  const port = await http.listen(config.port);
  logger.info('http listening', {
    port,
    platforms: platforms.map((platform) => platform.platform),
  });
  const stop = async (): Promise<void> => {
    await Promise.allSettled(platforms.map((platform) => platform.stop()));
    await http.close();
    await core.close(SHUTDOWN_GRACE_MS);
  };
  onShutdown(logger, stop);
  const started = await Promise.allSettled(platforms.map((platform) => platform.start()));
  const failed = platforms.filter((_platform, index) => started[index]?.status === 'rejected');
  started.forEach((result, index) => {
    if (result.status === 'fulfilled') return;
    const platform = platforms[index];
    logger.error('platform not started', {
      platform: platform?.platform,
      detail: platform?.status().detail,
      error: result.reason,
    });
  });
  if (failed.length > 0) {
    await stop();
    process.exit(1);
  }
  const resumed = await core.roleplay.resume();
  if (resumed > 0) logger.info('role-plays resumed', { count: resumed });
}

function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let isStopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (isStopping) return;
    isStopping = true;
    logger.info('shutting down', { signal });
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

async function main(argv: readonly string[]): Promise<void> {
  const mode: Mode = argv[0] === 'chat' ? 'chat' : 'serve';
  const config = readConfig();
  await (mode === 'chat' ? chat(config) : serve(config));
}

process.on('unhandledRejection', (reason) => {
  process.stderr.write(
    `parley: unhandled rejection: ${reason instanceof Error ? reason.name : 'unknown'}\n`,
  );
  process.exit(70);
});

export type { Core };

await main(process.argv.slice(2));
