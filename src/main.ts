import { pino } from 'pino';
import { createConsoleAdapter } from '../adapters/console/console-adapter.js';
import { type Core, createCore } from './app.js';
import { type Config, loadConfig, loadServeConfig } from './config/config.js';
import { environmentWithDotEnv } from './config/env-file.js';
import { createLogger, type Logger } from './log/logger.js';
import { composeRole, ROLES, type Role } from './roles.js';

// Replies under way get this long in all to finish on SIGTERM (with a queue, what is still
// running then is handed to another worker); most hosts send SIGKILL 30 s after SIGTERM.
const SHUTDOWN_GRACE_MS = 15_000;
// Whatever still hangs then (a connection that never closes), the process exits by this time.
const SHUTDOWN_DEADLINE_MS = 24_000;

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

/** The configuration for this mode (serving needs a platform), or exit 2 listing every problem. */
function readConfig(mode: Mode, role: Role): Config {
  const env = environmentWithDotEnv(process.env);
  const result =
    mode === 'chat'
      ? loadConfig(env)
      : loadServeConfig(env, role === 'all' ? {} : { scaledOutRole: role });
  if (result.ok) return result.config;
  process.stderr.write(`Parley cannot start — fix these settings (environment or .env):\n`);
  for (const problem of result.problems)
    process.stderr.write(`  • ${problem.replaceAll('\n', '\n    ')}\n`);
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
  const core = createCore(config, logger, { adoptPlays: false });
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

async function serve(config: Config, role: Role): Promise<void> {
  const logger = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const running = await composeRole(role, config, logger);
  const port = await running.http.listen(config.port);
  logger.info('http listening', {
    port,
    role,
    platforms: running.platforms.map((platform) => platform.platform),
  });
  onShutdown(logger, () => running.stop(SHUTDOWN_GRACE_MS));
  const started = await Promise.allSettled(running.platforms.map((platform) => platform.start()));
  const failures = started.flatMap((result, index) =>
    result.status === 'rejected' ? [{ result, index }] : [],
  );
  for (const { result, index } of failures) {
    const platform = running.platforms[index];
    logger.error('platform not started', {
      platform: platform?.platform,
      detail: platform?.status().detail,
      error: result.reason,
    });
  }
  if (failures.length > 0) {
    await running.stop(0);
    process.exit(1);
  }
  const resumed = await running.core.roleplay.resume();
  if (resumed > 0) logger.info('role-plays resumed', { count: resumed });
}

/** `--role all|web|discord|worker` (default all). */
function roleFrom(argv: readonly string[]): Role {
  const index = argv.indexOf('--role');
  const value = index === -1 ? 'all' : argv[index + 1];
  if (ROLES.includes(value as Role)) return value as Role;
  process.stderr.write(`--role must be one of ${ROLES.join(', ')}\n`);
  process.exit(2);
}

function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let isStopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (isStopping) return;
    isStopping = true;
    logger.info('shutting down', { signal });
    setTimeout(() => {
      logger.error('shutdown overran its deadline; exiting', { ms: SHUTDOWN_DEADLINE_MS });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
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
  const role = mode === 'chat' ? 'all' : roleFrom(argv);
  const config = readConfig(mode, role);
  await (mode === 'chat' ? chat(config) : serve(config, role));
}

process.on('unhandledRejection', (reason) => {
  process.stderr.write(
    `parley: unhandled rejection: ${reason instanceof Error ? reason.name : 'unknown'}\n`,
  );
  process.exit(70);
});

export type { Core };

await main(process.argv.slice(2));
