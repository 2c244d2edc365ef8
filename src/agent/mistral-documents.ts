import { createHash } from 'node:crypto';
import { setBounded } from '../core/bounded-map.js';
import type { FileBytes } from '../core/model.js';

/** What the files API does for documents: keep one (its id), and sign a URL to it. */
export interface DocumentFiles {
  upload(file: FileBytes, signal: AbortSignal): Promise<string>;
  sign(fileId: string, signal: AbortSignal): Promise<string>;
}

interface Entry {
  fileId?: Promise<string> | undefined;
  url?: { readonly value: string; readonly until: number };
}

// A document stays in a thread's history for many turns: it is uploaded once per process (by its
// bytes), and its signed URL reused while it has this long to live.
const URL_LIFETIME_MS = 60 * 60 * 1000;
const URL_MARGIN_MS = 10 * 60 * 1000;
const MOST_DOCUMENTS = 500;

/**
 * Hands documents to Mistral without uploading the same one again every turn: the file id is
 * kept by content hash, and a signed URL reused until it nears its expiry.
 */
export function createDocumentCache(
  files: DocumentFiles,
  now: () => number = Date.now,
): (file: FileBytes, signal: AbortSignal) => Promise<string> {
  const entries = new Map<string, Entry>();
  // The file preparer hands the same bytes every turn: hashed once, not once a turn.
  const hashes = new WeakMap<Uint8Array, string>();
  const keyOf = (bytes: Uint8Array): string => {
    const known = hashes.get(bytes);
    if (known !== undefined) return known;
    const key = createHash('sha256').update(bytes).digest('hex');
    hashes.set(bytes, key);
    return key;
  };
  return async (file, signal) => {
    const key = keyOf(file.bytes);
    const entry = entries.get(key) ?? {};
    setBounded(entries, key, entry, MOST_DOCUMENTS);
    if (entry.url !== undefined && entry.url.until - URL_MARGIN_MS > now()) return entry.url.value;
    entry.fileId ??= files.upload(file, signal);
    const fileId = await entry.fileId.catch((error: unknown) => {
      entry.fileId = undefined;
      throw error;
    });
    const value = await files.sign(fileId, signal);
    entry.url = { value, until: now() + URL_LIFETIME_MS };
    return value;
  };
}
