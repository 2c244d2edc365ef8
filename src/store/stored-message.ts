import { cutText, sentChars } from '../agent/shape-messages.js';
import { isRecord } from '../core/guards.js';
import type { Attachment, Author, Message } from '../core/model.js';
import { ParleyError } from '../errors.js';
import type { HistoryLimits } from './store.js';

const ROLES: ReadonlySet<unknown> = new Set(['user', 'assistant']);

/** A clean copy of a message with only the model's fields; throws on a malformed one (a caller's bug). */
export function toStoredMessage(message: Message): StoredMessage {
  const copy = readMessage(message);
  if (copy === undefined) {
    throw new ParleyError('INTERNAL', 'invalid message: not storable', {
      cause: describe(message),
    });
  }
  return copy;
}

/** A stored line read back, or undefined when it is not a message (corrupt or foreign data). */
export function parseStoredMessage(text: string): StoredMessage | undefined {
  try {
    return readMessage(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** A message as the store keeps it: `truncated` when the store cut it to fit the budget. */
export type StoredMessage = Message & { readonly truncated?: true };

/** True when the store cut this message to the budget (its text ends with the cut note). */
export function isTruncated(message: Message | undefined): boolean {
  return message !== undefined && 'truncated' in message && message.truncated === true;
}

/**
 * The newest messages that fit the limits, each counted as a request carries it (`sentChars`:
 * text, speaker header, attachment lines). The newest always stays: when it alone is over the
 * budget it is cut to it, with a note at the cut, and marked `truncated`.
 */
export function keepWithinLimits(messages: readonly Message[], limits: HistoryLimits): Message[] {
  const kept = messages.slice(-Math.max(1, limits.maxMessages));
  const newest = kept.at(-1);
  if (newest !== undefined) kept[kept.length - 1] = cutToFit(newest, limits.maxChars);
  const sizes = kept.map(sentChars);
  let chars = sizes.reduce((sum, size) => sum + size, 0);
  let drop = 0;
  while (chars > limits.maxChars && drop < kept.length - 1) {
    chars -= sizes[drop] ?? 0;
    drop += 1;
  }
  return kept.slice(drop);
}

function cutToFit(message: Message, maxChars: number): Message {
  const overBy = sentChars(message) - maxChars;
  if (overBy <= 0) return message;
  const cut: StoredMessage = { ...message, text: cutText(message.text, overBy), truncated: true };
  return cut;
}

// Field order matters to Redis: APPEND_SCRIPT cuts a stored text between `"text":` and
// `,"attachments":` without re-encoding the rest (JSON.stringify keeps this order).
function readMessage(value: unknown): StoredMessage | undefined {
  if (!isRecord(value)) return undefined;
  const { id, role, text, at } = value;
  const author = readAuthor(value.author);
  const attachments = readAttachments(value.attachments);
  if (typeof id !== 'string' || id === '' || !ROLES.has(role) || typeof text !== 'string')
    return undefined;
  if (
    typeof at !== 'number' ||
    !Number.isFinite(at) ||
    author === undefined ||
    attachments === undefined
  ) {
    return undefined;
  }
  const truncated = value.truncated === true ? { truncated: true as const } : {};
  return { id, role: role as Message['role'], author, text, ...truncated, attachments, at };
}

function readAuthor(value: unknown): Author | undefined {
  if (!isRecord(value)) return undefined;
  const { id, name, isBot } = value;
  if (typeof id !== 'string' || typeof name !== 'string' || typeof isBot !== 'boolean')
    return undefined;
  return { id, name, isBot };
}

function readAttachments(value: unknown): Attachment[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const attachments: Attachment[] = [];
  for (const item of value) {
    const attachment = readAttachment(item);
    if (attachment === undefined) return undefined;
    attachments.push(attachment);
  }
  return attachments;
}

/** A stored attachment; one stored before references (it had a private URL) is named only. */
function readAttachment(value: unknown): Attachment | undefined {
  if (!isRecord(value)) return undefined;
  const { name, ref, mimeType, size } = value;
  if (typeof name !== 'string') return undefined;
  if (ref !== undefined && typeof ref !== 'string') return undefined;
  if (mimeType !== undefined && typeof mimeType !== 'string') return undefined;
  if (size !== undefined && !(typeof size === 'number' && Number.isSafeInteger(size) && size >= 0))
    return undefined;
  return {
    name,
    ref: ref ?? '',
    ...(mimeType === undefined ? {} : { mimeType }),
    ...(size === undefined ? {} : { size }),
  };
}

/** Which message was refused, without its text (never log message bodies). */
function describe(message: unknown): Record<string, unknown> {
  return isRecord(message) ? { id: message.id, role: message.role } : { type: typeof message };
}
