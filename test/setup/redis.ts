import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** The Redis every store test talks to (started by ./redis-server.ts). */
export function redisUrl(): string {
  return inject('redisUrl');
}

/** A key prefix no other test uses, so tests share one Redis without seeing each other's keys. */
export function uniqueKeyPrefix(): string {
  return `parley-test:${randomBytes(6).toString('hex')}:`;
}

/** A raw client for poking at keys directly; the caller quits it. */
export function rawRedis(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
}

/** Deletes every key under a prefix (the server may be shared through PARLEY_TEST_REDIS_URL). */
export async function deleteKeys(prefix: string): Promise<void> {
  const client = rawRedis();
  try {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys);
  } finally {
    await client.quit();
  }
}
