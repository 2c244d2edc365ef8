import { sentChars } from '../agent/shape-messages.js';
import { isRecord } from '../core/guards.js';
import type { Attachment, Author, Message } from '../core/model.js';
import { ParleyError } from '../errors.js';
import type { HistoryLimits } from './store.js';

const ROLES: ReadonlySet<unknown> = new Set(['user', 'assistant']);

/** A clean copy of a message with only the model's fields; throws on a malformed one (a caller's bug). */
export function toStoredMessage(message: Message): Message {
  const copy = readMessage(message);
  if (copy === undefined) {
    throw new ParleyError('INTERNAL', 'invalid message: not storable', {
      cause: describe(message),
    });
  }
  return copy;
}

/** A stored line read back, or undefined when it is not a message (corrupt or foreign data). */
export function parseStoredMessage(text: string): Message | undefined {
  try {
    return readMessage(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * The newest messages that fit the limits, each counted as a request carries it (`sentChars`:
 * text, speaker header, attachment lines); the newest one always stays, however long.
 */
export function keepWithinLimits(messages: readonly Message[], limits: HistoryLimits): Message[] {
  const kept = messages.slice(-Math.max(1, limits.maxMessages));
  const sizes = kept.map(sentChars);
  let chars = sizes.reduce((sum, size) => sum + size, 0);
  let drop = 0;
  while (chars > limits.maxChars && drop < kept.length - 1) {
    chars -= sizes[drop] ?? 0;
    drop += 1;
  }
  return kept.slice(drop);
}

function readMessage(value: unknown): Message | undefined {
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
  return { id, role: role as Message['role'], author, text, attachments, at };
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

function readAttachment(value: unknown): Attachment | undefined {
  if (!isRecord(value)) return undefined;
  const { name, url, mimeType } = value;
  if (typeof name !== 'string' || typeof url !== 'string') return undefined;
  if (mimeType === undefined) return { name, url };
  return typeof mimeType === 'string' ? { name, url, mimeType } : undefined;
}

/** Which message was refused, without its text (never log message bodies). */
function describe(message: unknown): Record<string, unknown> {
  return isRecord(message) ? { id: message.id, role: message.role } : { type: typeof message };
}
