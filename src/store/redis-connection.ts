import { type ChainableCommander, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log/logger.js';

/** A Redis connection that counts its round trips (a pipeline, MULTI or script is one). */
export interface RedisIo {
  readonly roundTrips: number;
  /** Runs one round trip on the main connection. */
  trip<T>(call: (client: Redis) => Promise<T>): Promise<T>;
  /** Counts a round trip made on another connection (the subscriber). */
  count(): void;
  /** A new connection with the same settings; pub/sub needs one of its own. */
  duplicate(role: string): Redis;
  close(): Promise<void>;
}

// Fail fast while Redis is down, reconnect for ever: a message should get a "try again" notice
// within seconds, not hang, and the bot should heal by itself when Redis is back.
const CONNECTION_OPTIONS = {
  // A command waiting for a connection fails after this many reconnection attempts.
  maxRetriesPerRequest: 1,
  // A handshake to a healthy Redis takes milliseconds; two seconds means it is unreachable.
  connectTimeout: 2_000,
  // Our slowest command is a Lua script over at most 1,000 list entries (HISTORY_MAX_MESSAGES cap).
  commandTimeout: 5_000,
  // 50 ms, 100 ms, … capped at half a second between reconnection attempts: with one retry per
  // request, a command waits at most about a second while Redis is down.
  retryStrategy: (times: number) => Math.min(times * 50, 500),
  enableOfflineQueue: true,
} as const satisfies RedisOptions;

/** Opens the main connection (it connects in the background; commands wait briefly for it). */
export function createRedisIo(url: string, logger: Logger): RedisIo {
  const client = watchHealth(
    new Redis(url, CONNECTION_OPTIONS),
    logger.child({ connection: 'main' }),
  );
  let roundTrips = 0;
  let closing: Promise<void> | undefined;
  return {
    get roundTrips() {
      return roundTrips;
    },
    trip(call) {
      roundTrips += 1;
      writeTogether(client);
      return call(client);
    },
    count() {
      roundTrips += 1;
    },
    // A subscriber may only run (UN)SUBSCRIBE and PING: ioredis's ready check (INFO) after a
    // reconnect would be refused there, so it is skipped; subscriptions are restored either way.
    duplicate: (role) =>
      watchHealth(
        client.duplicate({ enableReadyCheck: false }),
        logger.child({ connection: role }),
      ),
    close() {
      closing ??= quit(client);
      return closing;
    },
  };
}

const corked = new WeakSet<object>();

/**
 * Commands issued while the loop handles one event leave in one socket write (a turn check
 * beside an append and a settings read; an answer's journal and ledger writes): the socket is
 * corked until that event's synchronous work and the whole cascade of promise callbacks it set
 * off are done. A write is a system call, and on a small VM that costs more than building the
 * command. Unlike ioredis's auto-pipelining (which waits for setImmediate, behind the rest of the
 * loop's I/O), the write leaves before the loop turns to anything else.
 */
function writeTogether(client: Redis): void {
  const socket = client.stream;
  if (socket === undefined || corked.has(socket) || client.status !== 'ready') return;
  corked.add(socket);
  socket.cork();
  // A tick scheduled from a promise callback runs once every pending callback has run.
  queueMicrotask(() =>
    process.nextTick(() => {
      corked.delete(socket);
      socket.uncork();
    }),
  );
}

/**
 * Commands that go together in one round trip and run in the order given, as a pipeline: no
 * MULTI and EXEC around them (two more commands, and a QUEUED reply for each) where nothing
 * needs them to be atomic. Resolves with the replies; the first command that failed is thrown.
 */
export async function inOrder(
  client: Redis,
  build: (pipeline: ChainableCommander) => ChainableCommander,
): Promise<unknown[]> {
  const replies = (await build(client.pipeline()).exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error !== null) throw error;
    return reply;
  });
}

/** Closes a connection politely, or drops it when Redis does not answer. */
export async function quit(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** Logs one warning per outage rather than one per reconnection attempt. */
function watchHealth(client: Redis, logger: Logger): Redis {
  let isDown = false;
  client.on('error', (error: unknown) => {
    if (isDown) return;
    isDown = true;
    logger.warn('redis unavailable', { error });
  });
  client.on('ready', () => {
    if (!isDown) return;
    isDown = false;
    logger.info('redis available again', {});
  });
  return client;
}
