import { createHash } from 'node:crypto';
import { setBounded } from '../core/bounded-map.js';
import type { FileBytes } from '../core/model.js';

/** What the files API does for documents: keep one (its id), sign a URL to it, delete it. */
export interface DocumentFiles {
  upload(file: FileBytes, signal: AbortSignal): Promise<string>;
  sign(fileId: string, signal: AbortSignal): Promise<string>;
  remove(fileId: string): Promise<void>;
}

/** Documents handed to Mistral, each uploaded once, and deleted once nobody needs them. */
export interface DocumentCache {
  /** A signed URL the agent reads the document from (uploaded first if this process has not). */
  urlOf(file: FileBytes, signal: AbortSignal): Promise<string>;
  /** Deletes the documents unused for a while (an hour); runs by itself every few minutes. */
  sweep(): Promise<void>;
  /** Deletes every document this process uploaded (shutdown); the cache stays usable. */
  close(): Promise<void>;
}

interface Entry {
  fileId?: Promise<string> | undefined;
  url?: { readonly value: string; readonly until: number };
  lastUsedAt: number;
}

// A document stays in a thread's history for many turns: it is uploaded once per process (by its
// bytes), and its signed URL reused while it has this long to live.
const URL_LIFETIME_MS = 60 * 60 * 1000;
const URL_MARGIN_MS = 10 * 60 * 1000;
// A person's document is not kept at Mistral longer than the thread seems to need it: unused for
// as long as its URL lives, it is deleted (and uploaded again should the thread come back to it).
const KEEP_UNUSED_MS = URL_LIFETIME_MS;
const SWEEP_EVERY_MS = 5 * 60 * 1000;
const MOST_DOCUMENTS = 500;

export interface DocumentCacheOptions {
  readonly now?: () => number;
  /** Told when a delete fails: the file then stays at Mistral. */
  readonly onRemoveFailed?: (error: unknown) => void;
}

/**
 * Hands documents to Mistral without uploading the same one again every turn: the file id is
 * kept by content hash, and a signed URL reused until it nears its expiry. A person's files are
 * theirs: each is deleted at Mistral once unused for an hour, when more than 500 are held
 * (the oldest first), and when the process stops.
 */
export function createDocumentCache(
  files: DocumentFiles,
  options: DocumentCacheOptions = {},
): DocumentCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  // Pushed out by newer ones: deleted at the next sweep, so that an answer reading one now
  // still finds it.
  const retired: Entry[] = [];
  // The file preparer hands the same bytes every turn: hashed once, not once a turn.
  const hashes = new WeakMap<Uint8Array, string>();
  let timer: NodeJS.Timeout | undefined;
  const keyOf = (bytes: Uint8Array): string => {
    const known = hashes.get(bytes);
    if (known !== undefined) return known;
    const key = createHash('sha256').update(bytes).digest('hex');
    hashes.set(bytes, key);
    return key;
  };

  async function remove(gone: readonly Entry[]): Promise<void> {
    await Promise.all(
      gone.map(async (entry) => {
        const fileId = await entry.fileId?.catch(() => undefined);
        if (fileId === undefined) return;
        await files.remove(fileId).catch((error: unknown) => options.onRemoveFailed?.(error));
      }),
    );
  }

  function hold(key: string): Entry {
    const entry = entries.get(key) ?? { lastUsedAt: now() };
    const pushedOut = setBounded(entries, key, entry, MOST_DOCUMENTS);
    if (pushedOut !== undefined) retired.push(pushedOut);
    timer ??= setInterval(() => void cache.sweep(), SWEEP_EVERY_MS).unref();
    return entry;
  }

  const cache: DocumentCache = {
    async urlOf(file, signal) {
      const entry = hold(keyOf(file.bytes));
      entry.lastUsedAt = now();
      if (entry.url !== undefined && entry.url.until - URL_MARGIN_MS > now())
        return entry.url.value;
      entry.fileId ??= files.upload(file, signal);
      const fileId = await entry.fileId.catch((error: unknown) => {
        entry.fileId = undefined;
        throw error;
      });
      const value = await files.sign(fileId, signal);
      entry.url = { value, until: now() + URL_LIFETIME_MS };
      return value;
    },
    async sweep() {
      const gone = retired.splice(0);
      for (const [key, entry] of entries) {
        if (now() - entry.lastUsedAt < KEEP_UNUSED_MS) continue;
        entries.delete(key);
        gone.push(entry);
      }
      await remove(gone);
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      const gone = [...retired.splice(0), ...entries.values()];
      entries.clear();
      await remove(gone);
    },
  };
  return cache;
}
