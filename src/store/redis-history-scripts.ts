import { lua } from './redis-scripts.js';

/**
 * KEYS: history, conversation. ARGV: ttlMs, message ids. Removes the stored messages with those
 * ids, keeping the others in order and the list's expiry, and records the ids as refused in the
 * thread's conversation hash; returns how many were removed.
 */
export const FORGET_SCRIPT = lua(`
for i = 2, #ARGV do redis.call('HSET', KEYS[2], 'refused:' .. ARGV[i], '1') end
redis.call('PEXPIRE', KEYS[2], ARGV[1])
local entries = redis.call('LRANGE', KEYS[1], 0, -1)
local drop = {}
for i = 2, #ARGV do drop[ARGV[i]] = true end
local kept, removed = {}, 0
for _, entry in ipairs(entries) do
  local ok, decoded = pcall(cjson.decode, entry)
  if ok and type(decoded) == 'table' and drop[decoded.id] then
    removed = removed + 1
  else
    kept[#kept + 1] = entry
  end
end
if removed == 0 then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
redis.call('DEL', KEYS[1])
for i = 1, #kept, 500 do
  redis.call('RPUSH', KEYS[1], unpack(kept, i, math.min(i + 499, #kept)))
end
if #kept > 0 and ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return removed
`);
