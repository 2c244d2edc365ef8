import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway redis-server on a loopback port, for tests and benchmarks. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Shuts the server down (SHUTDOWN NOSAVE, then SIGKILL if it lingers) and removes its directory. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
// redis-server answers within a few milliseconds of starting; ten seconds means it will not.
const START_DEADLINE_MS = 10_000;
const PING_INTERVAL_MS = 25;
// SHUTDOWN NOSAVE exits at once; this only bounds a wedged process.
const STOP_DEADLINE_MS = 5_000;

const INSTALL_HINT =
  'redis-server is not on PATH: the store tests run a real Redis. ' +
  'Install it (`apt-get install redis-server`, or `brew install redis`), ' +
  'or set PARLEY_TEST_REDIS_URL=redis://host:port to use a running one.';

/** A port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

/** Starts redis-server without persistence in a fresh temporary directory; resolves once it answers PING. */
export async function startRedisServer(
  options: {
    readonly port?: number;
    /** Keep data in this directory across restarts (append-only file, fsync on every write). */
    readonly persistIn?: string;
  } = {},
): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = options.persistIn ?? (await mkdtemp(join(tmpdir(), 'parley-redis-')));
  const persistence =
    options.persistIn === undefined
      ? ['--appendonly', 'no']
      : ['--appendonly', 'yes', '--appendfsync', 'always'];
  const args = ['--port', String(port), '--bind', HOST, '--save', '', ...persistence, '--dir', dir];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  // A process that never started emits 'error' and no 'exit'.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  try {
    await Promise.race([waitForPing(port), failure(child)]);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://${HOST}:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await command(port, 'SHUTDOWN NOSAVE').catch(() => child.kill('SIGTERM'));
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
        await exited;
        clearTimeout(timer);
      }
      // A persistent directory belongs to the caller (the next start reads it).
      if (options.persistIn === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Rejects when the process cannot start (ENOENT gets the install hint) or exits early. */
function failure(child: ChildProcess): Promise<never> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error(INSTALL_HINT, { cause: error }) : error);
    });
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    const reply = await command(port, 'PING').catch(() => '');
    if (reply.startsWith('+PONG')) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, PING_INTERVAL_MS));
  }
}

/** Sends one inline command and resolves with the first reply chunk (or '' when the server closed). */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy(new Error('redis command timed out')));
    socket.once('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      socket.end();
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(reply));
  });
}
