import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FakeState, refuse } from './fake-state.js';
import { missing, notOneOf, valueError } from './field-issues.js';
import { lookUpSigned, putFile, SIGNED_PATH, type StoredFile, signFile } from './file-store.js';
import { readBytes, sendJson } from './http-io.js';
import { apiError, type FieldIssue, validationError } from './wire.js';

export const FILES_PATH = '/v1/files';
/** `/v1/files/{id}`, `/v1/files/{id}/content` and `/v1/files/{id}/url`. */
export const FILE_PATH = /^\/v1\/files\/([^/]+)(?:\/(content|url))?$/;
export { SIGNED_PATH };

// components/filepurpose.ts; a form without `purpose` is a fine-tuning upload.
const PURPOSES = ['fine-tune', 'batch', 'ocr'] as const;
const DEFAULT_PURPOSE = 'fine-tune';
const VISIBILITIES = ['workspace', 'user'] as const;
// Signed URLs last 24 h unless asked otherwise, and between 1 h and 168 h (the SDK's docs).
const DEFAULT_EXPIRY_HOURS = 24;
const MAX_EXPIRY_HOURS = 168;
const SAMPLE_TYPES: Readonly<Record<string, string>> = {
  'fine-tune': 'instruct',
  batch: 'batch_request',
  ocr: 'ocr_input',
};

/** `POST /v1/files` (multipart `file` + `purpose`), refused with 422 as FastAPI words it. */
export async function uploadFile(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const form = await readForm(request);
  const file = form?.get('file') ?? null;
  const purpose = form?.get('purpose') ?? DEFAULT_PURPOSE;
  const visibility = form?.get('visibility') ?? 'workspace';
  const issues = uploadIssues(file, purpose, visibility);
  if (issues.length > 0 || !(file instanceof File)) {
    return refuse(
      state,
      response,
      FILES_PATH,
      validationError(issues),
      `invalid upload: ${issues[0]?.msg}`,
    );
  }
  if (purpose === 'fine-tune' && !file.name.endsWith('.jsonl')) {
    const reply = apiError(400, 'The Fine-tuning API only supports .jsonl files');
    return refuse(state, response, FILES_PATH, reply, 'fine-tune file is not .jsonl');
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const mimeType = file.type === '' ? undefined : file.type.split(';')[0];
  const input = {
    name: file.name,
    purpose: String(purpose),
    bytes,
    source: 'upload',
    visibility: String(visibility),
  } as const;
  const stored = putFile(
    state.files,
    mimeType === undefined ? input : { ...input, mimeType },
    state.now(),
  );
  sendJson(response, 200, fileObject(stored));
}

/**
 * `DELETE /v1/files/{id}` (files.delete): the file and its signed URLs are gone; 404 for an id
 * the store does not hold, as for a file deleted already.
 */
export function deleteFile(state: FakeState, response: ServerResponse, url: URL, id: string): void {
  const file = state.files.files.get(id);
  if (file === undefined) {
    const reply = apiError(404, `File with id ${id} not found`);
    refuse(state, response, url.pathname, reply, 'unknown file');
    return;
  }
  state.files.files.delete(id);
  state.files.deleted.set(id, file);
  for (const [secret, signature] of state.files.signatures)
    if (signature.fileId === id) state.files.signatures.delete(secret);
  sendJson(response, 200, { id, object: 'file', deleted: true });
}

/** `GET /v1/files/{id}[/content|/url]`; 404 for an id the store does not hold. */
export function answerFile(
  state: FakeState,
  response: ServerResponse,
  url: URL,
  match: { readonly id: string; readonly part: string | undefined },
): void {
  const file = state.files.files.get(match.id);
  if (file === undefined) {
    const reply = apiError(404, `File with id ${match.id} not found`);
    refuse(state, response, url.pathname, reply, 'unknown file');
  } else if (match.part === 'content') {
    sendBytes(response, file.bytes, 'application/octet-stream');
  } else if (match.part === undefined) {
    sendJson(response, 200, { ...fileObject(file), deleted: false });
  } else {
    answerSignedUrl(state, response, url, file);
  }
}

/** `GET /v1/files/{id}/url?expiry=<hours>`: a URL of the fake's own that needs no key. */
function answerSignedUrl(
  state: FakeState,
  response: ServerResponse,
  url: URL,
  file: StoredFile,
): void {
  const expiry = expiryOf(url.searchParams.get('expiry'));
  if (typeof expiry === 'number') {
    const token = signFile(state.files, file.id, expiry, state.now());
    sendJson(response, 200, { url: `${state.origin()}/signed/${token}` });
  } else {
    refuse(
      state,
      response,
      url.pathname,
      validationError([expiry]),
      `invalid expiry: ${expiry.msg}`,
    );
  }
}

/** `GET /signed/{token}`: the bytes, without the API key, until the signature expires. */
export function answerSigned(
  state: FakeState,
  response: ServerResponse,
  path: string,
  token: string,
): void {
  const found = lookUpSigned(state.files, token, state.now());
  if (found.kind === 'found') {
    sendBytes(response, found.file.bytes, found.file.mimeType);
    return;
  }
  // Storage answers an expired or forged signature with 403, as S3-style stores do.
  const message = found.kind === 'expired' ? 'Request has expired' : 'Signature does not match';
  state.rejected.push({ status: 403, path, reason: message });
  response.writeHead(403, { 'content-type': 'text/plain' });
  response.end(message);
}

/** The file object the upload and retrieve answers share (components/createfileresponse.ts). */
function fileObject(file: StoredFile): Record<string, unknown> {
  const isJsonl = file.name.endsWith('.jsonl');
  const lines = Buffer.from(file.bytes)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '');
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes.byteLength,
    created_at: file.createdAt,
    filename: file.name,
    purpose: file.purpose,
    sample_type: SAMPLE_TYPES[file.purpose] ?? 'instruct',
    num_lines: isJsonl ? lines.length : null,
    mimetype: file.mimeType,
    source: file.source,
    signature: null,
    expires_at: null,
    visibility: file.visibility,
  };
}

async function readForm(request: IncomingMessage): Promise<FormData | undefined> {
  const body = await readBytes(request);
  const headers = { 'content-type': request.headers['content-type'] ?? '' };
  try {
    return await new Request('http://fake/', { method: 'POST', headers, body }).formData();
  } catch {
    return undefined;
  }
}

function uploadIssues(
  file: File | string | null,
  purpose: File | string,
  visibility: File | string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (file === null) issues.push(missing(['body', 'file'], null));
  else if (typeof file === 'string') {
    issues.push(valueError(['body', 'file'], "Expected UploadFile, received: <class 'str'>", file));
  }
  if (!(PURPOSES as readonly unknown[]).includes(purpose)) {
    issues.push(notOneOf(['body', 'purpose'], PURPOSES, purpose));
  }
  if (!(VISIBILITIES as readonly unknown[]).includes(visibility)) {
    issues.push(notOneOf(['body', 'visibility'], VISIBILITIES, visibility));
  }
  return issues;
}

/** The signed URL's lifetime in hours, or the 422 issue pydantic would raise for the query. */
function expiryOf(raw: string | null): number | FieldIssue {
  const loc = ['query', 'expiry'];
  if (raw === null) return DEFAULT_EXPIRY_HOURS;
  const hours = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(hours)) {
    const msg = 'Input should be a valid integer, unable to parse string as an integer';
    return { type: 'int_parsing', loc, msg, input: raw };
  }
  if (hours < 1) {
    return {
      type: 'greater_than_equal',
      loc,
      msg: 'Input should be greater than or equal to 1',
      input: raw,
    };
  }
  if (hours > MAX_EXPIRY_HOURS) {
    const msg = `Input should be less than or equal to ${MAX_EXPIRY_HOURS}`;
    return { type: 'less_than_equal', loc, msg, input: raw };
  }
  return hours;
}

function sendBytes(response: ServerResponse, bytes: Uint8Array, contentType: string): void {
  response.writeHead(200, { 'content-type': contentType, 'content-length': bytes.byteLength });
  response.end(bytes);
}
