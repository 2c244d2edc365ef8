import { afterEach, describe, expect, it } from 'vitest';
import { createDocumentCache } from '../../src/agent/mistral-documents.js';
import { silentLogger } from '../../src/log/logger.js';
import { createRedisDocumentRegistry } from '../../src/store/redis-documents.js';
import { redisUrl, uniqueKeyPrefix } from '../setup/redis.js';
import { filesApi, pdf } from '../support/document-files.js';

const SIGNAL = new AbortController().signal;
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((registry) => registry.close()));
});

function open(keyPrefix: string) {
  const registry = createRedisDocumentRegistry({
    url: redisUrl(),
    keyPrefix,
    logger: silentLogger,
  });
  opened.push(registry);
  return registry;
}

describe('the Redis document registry', () => {
  it('hands each overdue document to one taker only, at most as many as asked', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const [first, second] = [open(keyPrefix), open(keyPrefix)];
    for (const [fileId, at] of [
      ['a', 10],
      ['b', 20],
      ['c', 30],
      ['later', 1_000],
    ] as const)
      await first.hold(fileId, at);
    await first.forget(['c']);

    const [one, two] = await Promise.all([first.takeOverdue(100, 1), second.takeOverdue(100, 1)]);
    const rest = await second.takeOverdue(100, 10);

    expect([...one, ...two].sort()).toEqual(['a', 'b']);
    expect(rest).toEqual([]);
    expect(await first.takeOverdue(1_000, 10)).toEqual(['later']);
  });

  it('lets a living process delete what a dead one uploaded, once it is overdue', async () => {
    const keyPrefix = uniqueKeyPrefix();
    let now = Date.now();
    const files = filesApi();
    // Killed without its shutdown: never closed.
    const deadRegistry = open(keyPrefix);
    const dead = createDocumentCache(files.api, { now: () => now, registry: deadRegistry });
    await dead.urlOf(pdf('left behind'), SIGNAL);
    // A trip behind its note on the same connection: the note is in Redis by then.
    await deadRegistry.forget(['none']);
    const living = createDocumentCache(files.api, { now: () => now, registry: open(keyPrefix) });

    await living.sweep();
    const early = [...files.removed];
    now += 2 * 60 * 60 * 1000;
    await living.sweep();
    await living.sweep();

    expect(early).toEqual([]);
    expect(files.removed).toEqual(['file-1']);
    await living.close();
  });
});
