import type { DocumentRegistry } from '../agent/mistral-documents.js';
import type { Logger } from '../log/logger.js';
import { createRedisIo } from './redis-connection.js';
import { redisKey } from './redis-keys.js';
import { lua, runScript } from './redis-scripts.js';
import { requireName } from './store-input.js';

export interface RedisDocumentRegistryOptions {
  readonly url: string;
  /** Put before every key (the deployment's REDIS_PREFIX). */
  readonly keyPrefix: string;
  readonly logger: Logger;
}

/**
 * KEYS: documents. ARGV: now, max. Takes the documents overdue by now (their process died), at
 * most max, out of the set in one step: each is taken by one process only.
 */
const TAKE_OVERDUE_SCRIPT = lua(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
return ids
`);

/**
 * The documents every process holds at Mistral, in one sorted set (member: the file id, score:
 * when it is overdue), so that a process killed without its shutdown has its uploads deleted by
 * another one (see createDocumentCache).
 */
export function createRedisDocumentRegistry(
  options: RedisDocumentRegistryOptions,
): DocumentRegistry {
  const io = createRedisIo(options.url, options.logger.child({ store: 'documents' }));
  const key = redisKey(options.keyPrefix, { kind: 'documents' });
  return {
    async hold(fileId, overdueAt) {
      await io.trip((client) => client.zadd(key, overdueAt, requireName(fileId, 'file id')));
    },
    async forget(fileIds) {
      if (fileIds.length === 0) return;
      await io.trip((client) => client.zrem(key, ...fileIds));
    },
    async takeOverdue(now, max) {
      const reply = await runScript(io, TAKE_OVERDUE_SCRIPT, [key], [now, max]);
      return Array.isArray(reply) ? reply.map(String) : [];
    },
    close: () => io.close(),
  };
}
