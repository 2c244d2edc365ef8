import { lua } from './redis-scripts.js';

/**
 * Writes the play hash and keeps the running sets in step with its status, all with the TTL.
 * KEYS: play, running, running-in-channel, running-by-starter. ARGV: version, data, ttlMs,
 * threadKey, isRunning.
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
    redis.call('SADD', KEYS[4], ARGV[4])
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
    redis.call('PEXPIRE', KEYS[3], ARGV[3])
    redis.call('PEXPIRE', KEYS[4], ARGV[3])
  else
    redis.call('SREM', KEYS[2], ARGV[4])
    redis.call('SREM', KEYS[3], ARGV[4])
    redis.call('SREM', KEYS[4], ARGV[4])
  end
  return 1
end
`;

/**
 * Stores a new play unless the thread has one (0) or its starter runs maxRunning plays already
 * (-1; 0 for no cap); 1 when stored. KEYS/ARGV as WRITE_PLAY, then maxRunning. The starter's
 * set is first rid of plays no longer running (ended before the set existed, or lapsed).
 */
export const CREATE_PLAY_SCRIPT = lua(`${WRITE_PLAY}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local maxRunning = tonumber(ARGV[6])
if maxRunning > 0 then
  for _, thread in ipairs(redis.call('SMEMBERS', KEYS[4])) do
    if redis.call('SISMEMBER', KEYS[2], thread) == 0 then redis.call('SREM', KEYS[4], thread) end
  end
  if redis.call('SCARD', KEYS[4]) >= maxRunning then return -1 end
end
return writePlay()
`);

/** Compare-and-set on the version field. KEYS/ARGV as WRITE_PLAY, then expectedVersion. Returns 1 or 0. */
export const REPLACE_PLAY_SCRIPT = lua(`${WRITE_PLAY}
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[6] then return 0 end
return writePlay()
`);
