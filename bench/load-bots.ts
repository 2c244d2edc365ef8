/**
 * The bench's child processes on 127.0.0.1. The four bots the load benchmark compares: Parley's
 * build with Redis and its queue, Parley's build in-process (memory store), the bare-Bolt
 * baseline, and a Vercel Chat SDK bot on Redis; and Parley's build in any role, for the recovery
 * benchmark. Only the environment contract and the HTTP endpoints are relied on.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../test/setup/redis-process.js';

const ROOT = join(import.meta.dirname, '..');
const PARLEY_MAIN = join(ROOT, 'dist', 'src', 'main.js');
const BARE_BOLT_BOT = join(ROOT, 'bench', 'bare-bolt-bot.ts');
const CHAT_SDK_BOT = join(ROOT, 'bench', 'chat-sdk-bot.ts');
// Node starting, Bolt's auth.test and Redis connecting: seconds on a loaded 2-core box.
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
// A bot asked to stop gets this long before SIGKILL; its replies are done by then.
const STOP_GRACE_MS = 5_000;
const OUTPUT_KEPT_CHARS = 20_000;

export type BotKind = 'queue' | 'memory' | 'bare' | 'sdk';

export const BOT_LABELS: Readonly<Record<BotKind, string>> = {
  queue: 'Parley + Redis + queue',
  memory: 'Parley in-process',
  bare: 'bare Bolt',
  sdk: 'Chat SDK + Redis',
};

const REDIS_BOTS: ReadonlySet<BotKind> = new Set(['queue', 'sdk']);
// The baselines run their TypeScript source under tsx; Parley runs its compiled build.
const TSX_BOTS: Readonly<Partial<Record<BotKind, string>>> = {
  bare: BARE_BOLT_BOT,
  sdk: CHAT_SDK_BOT,
};

/** Whether the bot keeps its state in Redis, and so gets its own redis-server. */
export function usesRedis(kind: BotKind): boolean {
  return REDIS_BOTS.has(kind);
}

/** What every bot is pointed at: the fakes and, for a Redis bot, its own redis-server. */
export interface BotTargets {
  readonly mistralUrl: string;
  readonly mistralApiKey: string;
  readonly agentId: string;
  readonly slackApiUrl: string;
  readonly slackBotToken: string;
  readonly slackSigningSecret: string;
  readonly redisUrl?: string;
}

export interface BotProcess {
  readonly kind: BotKind;
  readonly pid: number;
  readonly eventsUrl: string;
  /** The last of what it wrote to stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let isExitHookInstalled = false;

/** However the benchmark ends (error, Ctrl-C, process.exit), no bot outlives it. */
function installExitHook(): void {
  if (isExitHookInstalled) return;
  isExitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function botEnv(kind: BotKind, targets: BotTargets): Record<string, string> {
  const redis = usesRedis(kind) && targets.redisUrl !== undefined;
  return {
    MISTRAL_API_KEY: targets.mistralApiKey,
    MISTRAL_AGENT_ID: targets.agentId,
    MISTRAL_SERVER_URL: targets.mistralUrl,
    SLACK_BOT_TOKEN: targets.slackBotToken,
    SLACK_SIGNING_SECRET: targets.slackSigningSecret,
    SLACK_API_URL: targets.slackApiUrl,
    ...(redis ? { REDIS_URL: targets.redisUrl ?? '' } : {}),
    LOG_LEVEL: 'warn',
  };
}

/** `BENCH_CPU_PROFILE=<dir>`: each bot writes a V8 CPU profile there when it exits. */
function profileFlags(kind: BotKind): readonly string[] {
  const dir = process.env.BENCH_CPU_PROFILE;
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(dir, kind)}`];
}

function commandFor(kind: BotKind): readonly string[] {
  const source = TSX_BOTS[kind];
  const main = source === undefined ? [PARLEY_MAIN, '--role', 'all'] : ['--import', 'tsx', source];
  return [...profileFlags(kind), ...main];
}

async function untilHealthy(baseUrl: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`bot exited before it was healthy (${child.exitCode}):\n${output()}`);
    }
    const healthy = await fetch(`${baseUrl}/healthz`)
      .then((response) => response.ok)
      .catch(() => false);
    if (healthy) return;
    await delay(READY_POLL_MS);
  }
  throw new Error(`bot not healthy within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

/** How a child ends: `stop` as a deploy does (SIGTERM, SIGKILL after a grace), `kill` as a crash. */
function endings(child: ChildProcess): { stop(): Promise<void>; kill(): Promise<void> } {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
  });
  void exited.then(() => running.delete(child));
  return {
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A child process of the bench, healthy on 127.0.0.1. */
export interface HealthyChild {
  readonly pid: number;
  readonly baseUrl: string;
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
  /** A crash: SIGKILL, no cleanup; resolves once it has exited. */
  kill(): Promise<void>;
}

/**
 * Spawns `node <args>` on a free port with `env` (the contract's variables; PATH, HOME and PORT
 * added) and resolves once `GET /healthz` answers 200.
 */
async function startHealthy(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<HealthyChild> {
  installExitHook();
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = `${output}${chunk.toString()}`.slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const { stop, kill } = endings(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await untilHealthy(baseUrl, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid ?? 0, baseUrl, output: () => output, stop, kill };
}

/** Starts one bot on a free port and resolves once `GET /healthz` answers 200. */
export async function startBot(kind: BotKind, targets: BotTargets): Promise<BotProcess> {
  // Parley reads a .env from its working directory: a neutral one keeps a developer's out.
  // The tsx bots run from the repository root so that `--import tsx` resolves.
  const cwd = TSX_BOTS[kind] === undefined ? tmpdir() : ROOT;
  const started = await startHealthy(commandFor(kind), cwd, botEnv(kind, targets));
  const { pid, baseUrl, output, stop } = started;
  return { kind, pid, eventsUrl: `${baseUrl}/slack/events`, output, stop };
}

/** Parley's build in `role` with the contract's variables `env`. */
export function startParleyRole(
  role: string,
  env: Readonly<Record<string, string>>,
): Promise<HealthyChild> {
  return startHealthy([PARLEY_MAIN, '--role', role], tmpdir(), env);
}

// Every section that runs Parley's build needs it current; one build serves the whole run.
let built: Promise<void> | undefined;

/** `npm run build`, once per bench run: the bots run Parley's compiled output, as production does. */
export function buildParley(): Promise<void> {
  built ??= build();
  return built;
}

async function build(): Promise<void> {
  try {
    await promisify(execFile)('npm', ['run', '--silent', 'build'], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    });
  } catch (error) {
    const output =
      error instanceof Error && 'stdout' in error ? String(error.stdout) : String(error);
    console.log(
      `  ! npm run build failed; measuring what tsc emitted to dist/:\n${output.slice(0, 2_000)}`,
    );
  }
}
