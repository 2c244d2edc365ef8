import { cutText } from '../agent/shape-messages.js';
import { isRecord } from '../core/guards.js';
import { type Platform, type ThreadRef, threadKey } from '../core/model.js';
import { ParleyError } from '../errors.js';
import type { Actor, Line, Play, PlayStatus } from './play.js';

/** How long a play outlives its last write, so finished ones do not pile up in the store. */
export const PLAY_TTL_MS = 30 * 24 * 60 * 60 * 1000;
// A dialogue of a few hundred turns is already far past anything readable in a thread; more
// lines mean a runaway loop, and each turn rewrites the whole play.
export const PLAY_MAX_LINES = 500;
// Each turn sends the transcript to an agent and rewrites it in Redis: keep one write well
// under a megabyte (Redis itself would take 512 MB).
export const PLAY_MAX_BYTES = 1024 * 1024;

// An interjection is a remark, not a document: Slack advises messages of at most 4,000
// characters. Longer ones are cut when stored and when sent.
export const PLAY_MAX_INTERJECTION_CHARS = 4_000;

const PLATFORMS: ReadonlySet<unknown> = new Set<Platform>(['slack', 'discord', 'console']);
const STATUSES: ReadonlySet<unknown> = new Set<PlayStatus>([
  'running',
  'done',
  'stopped',
  'failed',
]);

/**
 * A play ready to write: its clean copy (over-long interjections cut) and that copy as JSON;
 * throws on a malformed play.
 */
export function toStoredPlay(play: Play): { readonly play: Play; readonly json: string } {
  const read = readPlay(play);
  if (read === undefined) throw invalidPlay('not a well-formed play', play);
  const copy = { ...read, transcript: read.transcript.map(boundLine) };
  if (copy.transcript.length > PLAY_MAX_LINES) throw invalidPlay('transcript too long', play);
  const json = JSON.stringify(copy);
  if (Buffer.byteLength(json, 'utf8') > PLAY_MAX_BYTES) throw invalidPlay('too large', play);
  return { play: copy, json };
}

/** An interjection's text within PLAY_MAX_INTERJECTION_CHARS, cut with a note when longer. */
export function boundedInterjection(text: string): string {
  const overBy = text.length - PLAY_MAX_INTERJECTION_CHARS;
  return overBy > 0 ? cutText(text, overBy) : text;
}

function boundLine(line: Line): Line {
  return line.kind === 'human' ? { ...line, text: boundedInterjection(line.text) } : line;
}

/** Checks that a well-formed `next` may follow `previous`: same thread, version one higher. */
export function requireSuccessor(previous: Play, next: Play): void {
  const thread = isRecord(previous) ? readThread(previous.thread) : undefined;
  if (thread === undefined || !isCount(previous.version)) {
    throw invalidPlay('previous is not a stored play', previous);
  }
  if (next.version !== previous.version + 1) throw invalidPlay('version must go up by one', next);
  if (threadKey(next.thread) !== threadKey(thread)) throw invalidPlay('thread changed', next);
}

/** A stored play read back, or undefined when the text is not one (corrupt or foreign data). */
export function parseStoredPlay(text: string): Play | undefined {
  try {
    return readPlay(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** A clean copy of a play with only the model's fields, or undefined when it is malformed. */
export function readPlay(value: unknown): Play | undefined {
  if (!isRecord(value)) return undefined;
  const thread = readThread(value.thread);
  const cast = readCast(value.cast);
  const transcript = readTranscript(value.transcript);
  const startedBy = readPerson(value.startedBy);
  const { topic, maxTurns, turn, status, endReason, startedAt, version } = value;
  if (thread === undefined || cast === undefined || transcript === undefined) return undefined;
  if (startedBy === undefined || typeof topic !== 'string' || !STATUSES.has(status))
    return undefined;
  if (!isCount(maxTurns) || maxTurns === 0 || !isCount(turn) || turn > maxTurns) return undefined;
  if (!isCount(version) || !isTime(startedAt) || !isOptionalString(endReason)) return undefined;
  return {
    thread,
    cast,
    topic,
    maxTurns,
    turn,
    status: status as PlayStatus,
    ...(endReason === undefined ? {} : { endReason }),
    transcript,
    startedBy,
    startedAt,
    version,
  };
}

function readThread(value: unknown): ThreadRef | undefined {
  if (!isRecord(value) || !PLATFORMS.has(value.platform)) return undefined;
  const { workspace, channel, thread } = value;
  if (!isName(workspace) || !isName(channel) || !isName(thread)) return undefined;
  return { platform: value.platform as Platform, workspace, channel, thread };
}

function readCast(value: unknown): readonly [Actor, Actor] | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const first = readActor(value[0]);
  const second = readActor(value[1]);
  return first === undefined || second === undefined ? undefined : [first, second];
}

function readActor(value: unknown): Actor | undefined {
  if (!isRecord(value)) return undefined;
  const { agentId, name, avatarUrl } = value;
  if (!isName(agentId) || typeof name !== 'string' || !isOptionalString(avatarUrl))
    return undefined;
  return avatarUrl === undefined ? { agentId, name } : { agentId, name, avatarUrl };
}

function readTranscript(value: unknown): Line[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const lines: Line[] = [];
  for (const item of value) {
    const line = readLine(item);
    if (line === undefined) return undefined;
    lines.push(line);
  }
  return lines;
}

function readLine(value: unknown): Line | undefined {
  if (!isRecord(value) || typeof value.text !== 'string' || !isTime(value.at)) return undefined;
  const { text, at } = value;
  if (value.kind === 'actor') {
    const { actor } = value;
    return actor === 0 || actor === 1 ? { kind: 'actor', actor, text, at } : undefined;
  }
  if (value.kind !== 'human' || typeof value.id !== 'string') return undefined;
  const author = readPerson(value.author);
  return author === undefined ? undefined : { kind: 'human', id: value.id, author, text, at };
}

function readPerson(value: unknown): { id: string; name: string } | undefined {
  if (!isRecord(value)) return undefined;
  const { id, name } = value;
  return typeof id === 'string' && typeof name === 'string' ? { id, name } : undefined;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

/** A whole number from zero up (turns, versions). */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The error for a caller's malformed play; it names the thread, never the dialogue text. */
function invalidPlay(reason: string, play: unknown): ParleyError {
  const thread = isRecord(play) ? readThread(play.thread) : undefined;
  return new ParleyError('INTERNAL', `invalid play: ${reason}`, {
    cause: { thread: thread === undefined ? undefined : threadKey(thread) },
  });
}
