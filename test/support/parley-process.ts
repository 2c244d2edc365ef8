import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../setup/redis-process.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** What every queued Parley process needs: the agent, Redis and its key prefix. */
interface QueueParts {
  readonly mistral: { url: string; apiKey: string };
  readonly agentId: string;
  readonly redisUrl: string;
  readonly prefix: string;
}

function queueEnv(parts: QueueParts): Record<string, string> {
  return {
    MISTRAL_API_KEY: parts.mistral.apiKey,
    MISTRAL_AGENT_ID: parts.agentId,
    MISTRAL_SERVER_URL: parts.mistral.url,
    REDIS_URL: parts.redisUrl,
    REDIS_PREFIX: parts.prefix,
    LOG_LEVEL: 'warn',
  };
}

/** What a Parley process needs to serve Slack against the fakes with Redis and the queue on. */
export function slackQueueEnv(
  parts: QueueParts & {
    readonly slack: { botToken: string; signingSecret: string; apiUrl: string };
  },
): Record<string, string> {
  return {
    ...queueEnv(parts),
    SLACK_BOT_TOKEN: parts.slack.botToken,
    SLACK_SIGNING_SECRET: parts.slack.signingSecret,
    SLACK_API_URL: parts.slack.apiUrl,
  };
}

/** What a Parley process needs to serve Discord (one guild) against the fakes, queue on. */
export function discordQueueEnv(
  parts: QueueParts & {
    readonly discord: { token: string; restUrl: string };
    readonly guildId: string;
  },
): Record<string, string> {
  return {
    ...queueEnv(parts),
    DISCORD_TOKEN: parts.discord.token,
    DISCORD_API_URL: parts.discord.restUrl,
    DISCORD_GUILD_ID: parts.guildId,
  };
}

/** `npm start` as a real child process, for tests that kill and restart Parley. */
export interface ParleyProcess {
  readonly baseUrl: string;
  readonly output: () => string;
  /** Ends it like a crash: SIGKILL, no cleanup. */
  kill(): Promise<void>;
  /** Ends it like a deploy: SIGTERM; resolves with the exit code. */
  terminate(): Promise<number | null>;
}

// Starting tsx and connecting to the fakes takes a few seconds on a loaded machine.
const READY_TIMEOUT_MS = 15_000;

export async function startParleyProcess(
  env: Readonly<Record<string, string>>,
  args: readonly string[] = [],
): Promise<ParleyProcess> {
  const port = await freePort();
  // Node itself with tsx as a loader (not the tsx wrapper), so SIGKILL hits Parley, not a parent.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'main.ts'), ...args],
    {
      cwd: join(ROOT, 'test'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...env,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await untilHealthy(baseUrl, child, () => output);
  return {
    baseUrl,
    output: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async terminate() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function untilHealthy(
  baseUrl: string,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`parley exited early (${child.exitCode}):\n${output()}`);
    const healthy = await fetch(`${baseUrl}/healthz`)
      .then((response) => response.ok)
      .catch(() => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`parley did not become healthy:\n${output()}`);
}
