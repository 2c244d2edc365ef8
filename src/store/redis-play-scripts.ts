import { lua } from './redis-scripts.js';

/**
 * Writes the play hash and keeps the running sets in step with its status, all with the TTL.
 * KEYS: play, running, running-in-channel. ARGV: version, data, ttlMs, threadKey, isRunning.
 * The sets expire only when no play has been written for a whole TTL, so a play that lapsed
 * while running cannot keep its entry for ever in an idle deployment.
 */
const WRITE_PLAY = `
local function writePlay()
  redis.call('HSET', KEYS[1], 'version', ARGV[1], 'data', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  if ARGV[5] == '1' then
    redis.call('SADD', KEYS[2], ARGV[4])
    redis.call('SADD', KEYS[3], ARGV[4])
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
    redis.call('PEXPIRE', KEYS[3], ARGV[3])
  else
    redis.call('SREM', KEYS[2], ARGV[4])
    redis.call('SREM', KEYS[3], ARGV[4])
  end
  return 1
end
`;

/** Stores a new play unless the thread has one. KEYS/ARGV as WRITE_PLAY. Returns 1 or 0. */
export const CREATE_PLAY_SCRIPT = lua(`${WRITE_PLAY}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return writePlay()
`);

/** Compare-and-set on the version field. KEYS/ARGV as WRITE_PLAY, then expectedVersion. Returns 1 or 0. */
export const REPLACE_PLAY_SCRIPT = lua(`${WRITE_PLAY}
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[6] then return 0 end
return writePlay()
`);
