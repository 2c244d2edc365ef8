import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import type { FakeFile } from './types.js';
import { hexId } from './wire.js';

/** A stored file with what `GET /v1/files/{id}` reports about it. */
export interface StoredFile extends FakeFile {
  readonly id: string;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** `upload` for uploads, `mistral` for files a connector made. */
  readonly source: 'upload' | 'mistral';
  readonly visibility: string;
}

/** A signed download URL's secret and when it stops working. */
interface Signature {
  readonly fileId: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** The fake's file store and the download URLs it has signed. */
export interface FileStore {
  readonly files: Map<string, StoredFile>;
  readonly signatures: Map<string, Signature>;
  /** Files deleted through `DELETE /v1/files/{id}`, by id: what a client cleaned up. */
  readonly deleted: Map<string, StoredFile>;
}

/** Where signed downloads are served; no API key is needed there. */
export const SIGNED_PATH = /^\/signed\/([0-9a-f]{32})$/;

const HOUR_MS = 60 * 60 * 1000;
const MIME_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
};

export function createFileStore(): FileStore {
  return { files: new Map(), signatures: new Map(), deleted: new Map() };
}

/** What a stored file is made from. */
export interface FileInput {
  readonly name: string;
  readonly purpose: string;
  readonly bytes: Uint8Array;
  readonly mimeType?: string;
  readonly source: 'upload' | 'mistral';
  readonly visibility?: string;
}

/** Stores a file under a new id (a UUID, as Mistral's file ids are). */
export function putFile(store: FileStore, input: FileInput, nowMs: number): StoredFile {
  const file: StoredFile = {
    id: randomUUID(),
    name: input.name,
    purpose: input.purpose,
    bytes: input.bytes,
    mimeType: input.mimeType ?? mimeTypeOf(input.name),
    createdAt: Math.floor(nowMs / 1000),
    source: input.source,
    visibility: input.visibility ?? 'workspace',
  };
  store.files.set(file.id, file);
  return file;
}

/** The MIME type a name's extension implies. */
export function mimeTypeOf(name: string): string {
  return MIME_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** Signs a download of the file for `hours`, returning the secret the URL carries. */
export function signFile(store: FileStore, fileId: string, hours: number, nowMs: number): string {
  const token = hexId();
  store.signatures.set(token, { fileId, expiresAt: nowMs + hours * HOUR_MS });
  return token;
}

/** What a signed download finds: the file, or why it is refused. */
export type SignedLookup =
  | { readonly kind: 'found'; readonly file: StoredFile }
  | { readonly kind: 'expired' }
  | { readonly kind: 'unknown' };

export function lookUpSigned(store: FileStore, token: string, nowMs: number): SignedLookup {
  const signature = store.signatures.get(token);
  const file = signature === undefined ? undefined : store.files.get(signature.fileId);
  if (signature === undefined || file === undefined) return { kind: 'unknown' };
  return nowMs < signature.expiresAt ? { kind: 'found', file } : { kind: 'expired' };
}

/** The file a live signed URL of the fake at `origin` serves, if `url` is one. */
export function signedFileId(
  store: FileStore,
  origin: string,
  url: string,
  nowMs: number,
): string | undefined {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed === undefined || parsed.origin !== new URL(origin).origin) return undefined;
  const token = SIGNED_PATH.exec(parsed.pathname)?.[1];
  if (token === undefined) return undefined;
  const found = lookUpSigned(store, token, nowMs);
  return found.kind === 'found' ? found.file.id : undefined;
}
