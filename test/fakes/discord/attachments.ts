/**
 * Message attachments by Discord's rules ("Uploading Files", "Editing Message Attachments"):
 * each file at most 10 MiB (413, 40005), at most 10 attachments (30015), every `attachments[].id`
 * either a `files[n]` placeholder of this request or, when editing, an attachment the message
 * already has (else 50035 ATTACHMENT_NOT_FOUND), and every `files[n]` part named. The
 * `attachments` array sets which attachments the message has, on create as on edit.
 */
import { DiscordHttpError, type ErrorTree, fieldError, invalidFormBody } from './errors.js';
import { imageSize, mediaType, sanitizeFilename } from './media.js';
import type { UploadedFile } from './multipart.js';
import type { FakeState } from './state.js';
import type { FakeAttachment, FakeFileInput } from './types.js';
import { asArray, isObject, type Json } from './validate.js';

export const ATTACHMENT_LIMITS = {
  /** Reference, "Uploading Files": 10 MiB per file by default (more only with Nitro or boosts). */
  fileBytes: 10 * 1024 * 1024,
  /** "Nitro" (the full plan): a subscriber's own uploads may be up to 500 MiB each. */
  nitroFileBytes: 500 * 1024 * 1024,
  /** Error 30015: "Maximum number of attachments in a message reached (10)". */
  perMessage: 10,
  /** Alt text: "max 1024 characters" (Message, "Attachment Request Structure"). */
  description: 1_024,
} as const;

const tooLarge = () => new DiscordHttpError(413, 40005, 'Request entity too large');
const tooMany = () =>
  new DiscordHttpError(
    400,
    30015,
    `Maximum number of attachments in a message reached (${ATTACHMENT_LIMITS.perMessage})`,
  );

export interface AttachmentChange {
  readonly body: Json;
  readonly files: readonly UploadedFile[];
  /** The message's attachments before an edit; empty for a new message. */
  readonly existing: readonly FakeAttachment[];
  /** The poster's per-file limit; ATTACHMENT_LIMITS.fileBytes unless they have Nitro. */
  readonly maxFileBytes?: number;
}

function throwIfAny(trees: ErrorTree[]): void {
  const error = invalidFormBody(trees);
  if (error) throw error;
}

/** Size first (Discord refuses an oversized upload before reading the payload), then names. */
function checkUploads(files: readonly UploadedFile[], maxFileBytes: number): void {
  if (files.some((file) => file.data.length > maxFileBytes)) throw tooLarge();
  throwIfAny(
    files
      .filter((file) => file.filename === '')
      .map((file) => fieldError([file.field], 'BASE_TYPE_REQUIRED', 'This field is required')),
  );
}

function stored(state: FakeState, file: UploadedFile, entry: Json): FakeAttachment {
  const requested = typeof entry.filename === 'string' && entry.filename ? entry.filename : null;
  const { filename, title } = sanitizeFilename(requested ?? file.filename);
  const size = imageSize(file.data);
  return {
    id: state.nextId(),
    filename,
    title,
    description: typeof entry.description === 'string' ? entry.description : null,
    contentType: mediaType(file.contentType, filename),
    size: file.data.length,
    width: size?.width ?? null,
    height: size?.height ?? null,
    data: file.data,
  };
}

type Resolved =
  | { readonly kind: 'ok'; readonly attachment: FakeAttachment }
  | { readonly kind: 'invalid'; readonly error: ErrorTree };

function textLength(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

/** One `attachments[i]`: an attachment kept from the message, or a new one from `files[id]`. */
function resolveEntry(
  state: FakeState,
  change: AttachmentChange,
  entry: unknown,
  i: number,
): Resolved {
  const at = ['attachments', String(i)];
  const invalid = (path: string[], code: string, message: string): Resolved => ({
    kind: 'invalid',
    error: fieldError(path, code, message),
  });
  if (!isObject(entry))
    return invalid(at, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
  const max = ATTACHMENT_LIMITS.description;
  if (textLength(entry.description) > max)
    return invalid(
      [...at, 'description'],
      'BASE_TYPE_MAX_LENGTH',
      `Must be ${max} or fewer in length.`,
    );
  const id = String(entry.id);
  const kept = change.existing.find((attachment) => attachment.id === id);
  const description =
    typeof entry.description === 'string' ? { description: entry.description } : {};
  if (kept) return { kind: 'ok', attachment: { ...kept, ...description } };
  const file = change.files.find((upload) => upload.index === id);
  if (file) return { kind: 'ok', attachment: stored(state, file, entry) };
  return invalid(at, 'ATTACHMENT_NOT_FOUND', 'Attachment data not found');
}

/**
 * The attachments a create or edit leaves on the message. Without an `attachments` array every
 * upload is added (to what an edit already had); with one, exactly the listed ones remain.
 */
export function resolveAttachments(state: FakeState, change: AttachmentChange): FakeAttachment[] {
  checkUploads(change.files, change.maxFileBytes ?? ATTACHMENT_LIMITS.fileBytes);
  if (change.body.attachments === undefined || change.body.attachments === null) {
    const all = [...change.existing, ...change.files.map((file) => stored(state, file, {}))];
    if (all.length > ATTACHMENT_LIMITS.perMessage) throw tooMany();
    return all;
  }
  const entries = asArray(change.body.attachments);
  if (entries.length > ATTACHMENT_LIMITS.perMessage) throw tooMany();
  const resolved = entries.map((entry, i) => resolveEntry(state, change, entry, i));
  throwIfAny(resolved.flatMap((r) => (r.kind === 'invalid' ? [r.error] : [])));
  return resolved.flatMap((r) => (r.kind === 'ok' ? [r.attachment] : []));
}

/** A test user's files as their Discord client sends them: `files[n]` parts and `attachments`. */
export function userUploads(files: readonly FakeFileInput[]): {
  files: UploadedFile[];
  attachments: Json[];
} {
  return {
    files: files.map((file, i) => ({
      field: `files[${i}]`,
      index: String(i),
      filename: file.name,
      contentType: file.contentType ?? '',
      data: Buffer.from(file.data),
    })),
    attachments: files.map((file, i) => ({
      id: String(i),
      filename: file.name,
      ...(file.description === undefined ? {} : { description: file.description }),
    })),
  };
}
