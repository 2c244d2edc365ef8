import { createHash } from 'node:crypto';
import { CUT_NOTE, FRAME_CHARS } from '../agent/shape-messages.js';
import type { RedisIo } from './redis-connection.js';

/** A Lua script and its SHA1, run with EVALSHA and loaded by EVAL when the server lacks it. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

/** A Lua script with its SHA1, for EVALSHA. */
export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Turn-queue answers: the caller holds the turn, waits behind a live taker, or is no longer queued. */
export const TURN_HEAD = 1;
export const TURN_WAIT = 0;
export const TURN_LOST = -1;

/**
 * A stored message's size as `sentChars` counts it (src/agent/shape-messages.ts): text, speaker
 * header on user lines, attachment lines, separator. Characters are UTF-16 code units of UTF-8
 * text, as JavaScript's String#length counts them: every byte that does not continue a
 * sequence starts a character, and a 4-byte character takes two units. An entry that does not
 * read as a message counts nothing.
 */
const SENT_CHARS = String.raw`
local function units(text)
  local _, continuation = string.gsub(text, '[\128-\191]', '')
  local _, astral = string.gsub(text, '[\240-\247]', '')
  return #text - continuation + astral
end
local function messageChars(message)
  local size = ${FRAME_CHARS.message} + units(message.text)
  if message.role == 'user' then
    size = size + ${FRAME_CHARS.speaker} + units(message.author.id) + units(message.author.name)
  end
  for _, file in ipairs(message.attachments) do
    size = size + ${FRAME_CHARS.attachment} + units(file.name)
  end
  return size
end
local function sentChars(entry)
  local ok, size = pcall(function() return messageChars(cjson.decode(entry)) end)
  if ok then return size end
  return 0
end
`;

/**
 * Mirrors `cutText` (src/agent/shape-messages.ts) on a stored entry: its text made `overBy`
 * characters shorter, note included, never half a character, and `"truncated":true` added.
 * Only the text is re-encoded: it is spliced between `"text":` and `,"attachments":`, which
 * toStoredMessage writes in that order (a quote inside a JSON string is always escaped, so
 * neither key can be matched inside a value).
 */
const CUT_ENTRY = `
local function startWithin(text, keep)
  local used, i = 0, 1
  while i <= #text do
    local byte = string.byte(text, i)
    local length, width = 1, 1
    if byte >= 240 then length, width = 4, 2
    elseif byte >= 224 then length = 3
    elseif byte >= 192 then length = 2 end
    if used + width > keep then break end
    used, i = used + width, i + length
  end
  return string.sub(text, 1, i - 1)
end
local function cutEntry(entry, overBy)
  local text = cjson.decode(entry).text
  local note = ${luaString(CUT_NOTE.before)} .. overBy .. ${luaString(CUT_NOTE.after)}
  local cut = startWithin(text, math.max(0, units(text) - overBy - units(note))) .. note
  local head = string.find(entry, '"text":', 1, true)
  local tail = string.find(entry, ',"attachments":', head, true)
  local before, after = string.sub(entry, 1, head + 6), string.sub(entry, tail)
  return before .. cjson.encode(cut) .. ',"truncated":true' .. after
end
`;

const HEAD_STATE = `
local function headState(queue, token)
  if not redis.call('ZSCORE', queue, token) then return ${TURN_LOST} end
  while true do
    local head = redis.call('ZRANGE', queue, 0, 0)[1]
    if head == token then return ${TURN_HEAD} end
    if redis.call('EXISTS', head) == 1 then return ${TURN_WAIT} end
    redis.call('ZREM', queue, head)
  end
end
`;

/**
 * Appends ARGV[first…] to the list at key, keeps the newest maxMessages, cuts the newest to
 * maxChars when it alone is over, then drops the oldest until the rest fits (as
 * keepWithinLimits does). Returns the kept entries.
 */
const APPEND_ENTRIES = `${SENT_CHARS}${CUT_ENTRY}
local function appendEntries(key, maxMessages, maxChars, ttlMs, first)
  for i = first, #ARGV do redis.call('RPUSH', key, ARGV[i]) end
  redis.call('LTRIM', key, -maxMessages, -1)
  local entries = redis.call('LRANGE', key, 0, -1)
  local last = #entries
  if last > 0 and sentChars(entries[last]) > maxChars then
    local ok, cut = pcall(cutEntry, entries[last], sentChars(entries[last]) - maxChars)
    if ok then
      entries[last] = cut
      redis.call('LSET', key, -1, cut)
    end
  end
  local sizes, total = {}, 0
  for i, entry in ipairs(entries) do
    sizes[i] = sentChars(entry)
    total = total + sizes[i]
  end
  local drop = 0
  while total > maxChars and drop < #entries - 1 do
    drop = drop + 1
    total = total - sizes[drop]
  end
  if drop > 0 then redis.call('LTRIM', key, drop, -1) end
  if #entries > 0 then redis.call('PEXPIRE', key, ttlMs) end
  local kept = {}
  for i = drop + 1, #entries do kept[#kept + 1] = entries[i] end
  return kept
end
`;

/**
 * Leaves a thread's line (the queue, the place's alive key) and wakes the takers behind. Every
 * taker waits on a place in the line: with none left, nobody is woken (most answers leave an
 * idle thread, and each publication costs every subscribed process a message).
 */
const LEAVE_LINE = `
local function leaveLine(queue, alive, seq, channel)
  redis.call('ZREM', queue, alive)
  redis.call('DEL', alive)
  if redis.call('EXISTS', queue) == 0 then
    redis.call('DEL', seq)
  else
    redis.call('PUBLISH', channel, '1')
  end
end
`;

/**
 * KEYS: history[, turns, alive]. ARGV: maxMessages, maxChars, ttlMs, 'always' | 'if-started',
 * entries…. Appends within the limits (appendEntries). Returns the kept entries, or nil without
 * writing when 'if-started' finds no history, or when the place (turns, alive) is not first in
 * its line.
 */
export const APPEND_SCRIPT = lua(`${APPEND_ENTRIES}${HEAD_STATE}
if ARGV[4] == 'if-started' and redis.call('EXISTS', KEYS[1]) == 0 then return false end
if #KEYS == 3 and headState(KEYS[2], KEYS[3]) ~= ${TURN_HEAD} then return false end
return appendEntries(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], 5)
`);

/**
 * KEYS: history, turns, alive, turnseq. ARGV: maxMessages, maxChars, ttlMs, channel, entries….
 * An answer recorded and its turn let go in one step: appended within the limits, then the
 * place leaves its line, so the taker woken next reads the answer.
 */
export const RECORD_SCRIPT = lua(`${APPEND_ENTRIES}${LEAVE_LINE}
appendEntries(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], 5)
leaveLine(KEYS[2], KEYS[3], KEYS[4], ARGV[4])
return 1
`);

/** A Lua string literal for a constant: JSON's escapes (\n, \", \\) are Lua's too. */
function luaString(text: string): string {
  return JSON.stringify(text);
}

/**
 * Whether token heads the queue. Heads whose alive key lapsed (their process died) are
 * dropped on the way; a live head blocks. The queue's members are the alive keys themselves.
 */

/** KEYS: turnseq, turns, alive. ARGV: leaseMs, idleMs. Queues the caller last; returns its state. */
export const ENQUEUE_SCRIPT = lua(`${HEAD_STATE}
local seq = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], seq, KEYS[3])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return headState(KEYS[2], KEYS[3])
`);

/**
 * KEYS: claim, turnseq, turns, alive, conversation, due, jobs. ARGV: claimTtlMs, holdMs, idleMs,
 * joinTtlMs ('' to leave the thread as it is), receipt job id ('' for none), job, dueAt.
 * Marks the thread joined when asked; claims a delivery and, only when it is new, queues a
 * place (alive for holdMs) last in the thread's line and writes the receipt (a here-first
 * ledger entry: the job, due at dueAt); 1 when new.
 */
export const ADMIT_SCRIPT = lua(`
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[5], 'joined', '1')
  redis.call('PEXPIRE', KEYS[5], ARGV[4])
end
if not redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[3], seq, KEYS[4])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[7], ARGV[5], ARGV[6])
  redis.call('ZADD', KEYS[6], ARGV[7], ARGV[5])
end
return 1
`);

/** KEYS: turns, alive. ARGV: leaseMs. The caller's state; a queued caller's lease is renewed. */
export const CHECK_SCRIPT = lua(`${HEAD_STATE}
local state = headState(KEYS[1], KEYS[2])
if state ~= ${TURN_LOST} then redis.call('SET', KEYS[2], '1', 'PX', ARGV[1]) end
return state
`);

/** KEYS: turns, alive, turnseq. ARGV: channel. Leaves the queue and wakes the takers behind. */
export const RELEASE_SCRIPT = lua(`${LEAVE_LINE}
leaveLine(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
return 1
`);

/** Runs a script in one round trip (two the first time a server sees it), counting each. */
export async function runScript(
  io: RedisIo,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await io.trip((client) => client.evalsha(script.sha, keys.length, ...keys, ...args));
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return io.trip((client) => client.eval(script.source, keys.length, ...keys, ...args));
  }
}

// NOSCRIPT is the reply code Redis defines for an unknown SHA (its protocol, not prose).
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
