import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { testSecret } from '../support/test-secret.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const SECRET_KEY = testSecret('cli-');
let fake: FakeMistral;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `src/main.ts` as `npm start` / `npm run chat` do, with only the given environment. */
function runParley(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [join(ROOT, 'src', 'main.ts'), ...args], {
      cwd: join(ROOT, 'test'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The bulleted problems of a refused start, first line of each. */
function problemsIn(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('  • '))
    .map((line) => line.slice(4));
}

beforeAll(async () => {
  fake = await startFakeMistral({
    apiKey: SECRET_KEY,
    agents: [{ id: 'ag:cli:demo', name: 'Demo' }],
  });
});
afterAll(() => fake.close());

describe('the parley command', () => {
  it('lists every missing setting at once, the platform token included, when nothing is configured', async () => {
    const run = await runParley([], {});

    expect(run.code).toBe(2);
    expect(problemsIn(run.stderr)).toEqual([
      expect.stringContaining('MISTRAL_AGENT_ID is required'),
      expect.stringContaining('MISTRAL_API_KEY is required'),
      expect.stringContaining('SLACK_BOT_TOKEN or DISCORD_TOKEN is required'),
    ]);
    expect(run.stderr).toContain('DISCORD_TOKEN (Developer Portal');
  });

  it('lists Redis with the rest for a scaled-out role', async () => {
    const run = await runParley(['--role', 'worker'], {});

    expect(run.code).toBe(2);
    expect(problemsIn(run.stderr)).toEqual([
      expect.stringContaining('MISTRAL_AGENT_ID is required'),
      expect.stringContaining('MISTRAL_API_KEY is required'),
      expect.stringContaining('SLACK_BOT_TOKEN or DISCORD_TOKEN is required'),
      expect.stringContaining('--role worker needs REDIS_URL'),
    ]);
  });

  it('says which variables enable Slack or Discord when no platform is configured', async () => {
    const run = await runParley([], {
      MISTRAL_API_KEY: SECRET_KEY,
      MISTRAL_AGENT_ID: 'ag:cli:demo',
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SLACK_BOT_TOKEN');
    expect(run.stderr).toContain('DISCORD_TOKEN');
    expect(run.stderr).not.toContain(SECRET_KEY);
  });

  it('refuses a scaled-out role without REDIS_URL, and an unknown role', async () => {
    const env = {
      MISTRAL_API_KEY: SECRET_KEY,
      MISTRAL_AGENT_ID: 'ag:cli:demo',
      SLACK_BOT_TOKEN: 'xoxb-1-2',
      SLACK_SIGNING_SECRET: 'secret',
    };

    const worker = await runParley(['--role', 'worker'], env);
    const bogus = await runParley(['--role', 'boss'], env);

    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain('--role worker needs REDIS_URL');
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('--role must be one of all, web, discord, worker');
  });

  it('refuses a malformed access list or rate at start-up, by the variable’s name', async () => {
    const run = await runParley([], {
      MISTRAL_API_KEY: SECRET_KEY,
      MISTRAL_AGENT_ID: 'ag:cli:demo',
      SLACK_BOT_TOKEN: 'xoxb-1-2',
      SLACK_SIGNING_SECRET: 'secret',
      ALLOWED_CHANNELS: 'general,C0RANDOM',
      USER_RATE_LIMIT: 'lots',
    });

    expect(run.code).toBe(2);
    expect(problemsIn(run.stderr)).toEqual([
      expect.stringContaining('ALLOWED_CHANNELS must be a comma-separated list'),
      expect.stringContaining('USER_RATE_LIMIT must be a count per window'),
    ]);
  });

  it('chats through piped stdin, printing the streamed answer', async () => {
    fake.setResponder(() => ({ kind: 'reply', text: 'Hello from the fake agent!', chunkSize: 4 }));
    const env = {
      MISTRAL_API_KEY: SECRET_KEY,
      MISTRAL_AGENT_ID: 'ag:cli:demo',
      MISTRAL_SERVER_URL: fake.url,
    };

    const run = await runParley(['chat'], env, 'hello\n/quit\n');

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('agent> Hello from the fake agent!\n');
    expect(run.stderr).toContain('in-memory store');
    expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET_KEY);
  });
});
