import type { TestProject } from 'vitest/node';
import { startRedisServer } from './redis-process.js';

/**
 * vitest globalSetup: one throwaway redis-server for the whole run, or the one named by
 * PARLEY_TEST_REDIS_URL. Tests read its URL with `inject('redisUrl')` (see ./redis.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.PARLEY_TEST_REDIS_URL;
  if (external !== undefined && external !== '') {
    project.provide('redisUrl', external);
    return async () => {};
  }
  const server = await startRedisServer();
  project.provide('redisUrl', server.url);
  return () => server.stop();
}
