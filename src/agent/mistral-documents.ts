import { createHash } from 'node:crypto';
import { setBounded } from '../core/bounded-map.js';
import type { FileBytes } from '../core/model.js';

/** What the files API does for documents: keep one (its id), sign a URL to it, delete it. */
export interface DocumentFiles {
  upload(file: FileBytes, signal: AbortSignal): Promise<string>;
  sign(fileId: string, signal: AbortSignal): Promise<string>;
  remove(fileId: string): Promise<void>;
}

/**
 * Where every process notes the documents it holds at Mistral (Redis, shared), so that another
 * process deletes them should it die without its shutdown (`kill -9`, a lost machine).
 */
export interface DocumentRegistry {
  /** Notes a document held here: overdue at `overdueAt` (pushed later as it is used). */
  hold(fileId: string, overdueAt: number): Promise<void>;
  /** Forgets documents deleted. */
  forget(fileIds: readonly string[]): Promise<void>;
  /** Takes up to `max` documents overdue at `now` (their process died); each goes to one taker. */
  takeOverdue(now: number, max: number): Promise<readonly string[]>;
  close(): Promise<void>;
}

/** Documents handed to Mistral, each uploaded once, and deleted once nobody needs them. */
export interface DocumentCache {
  /** A signed URL the agent reads the document from (uploaded first if this process has not). */
  urlOf(file: FileBytes, signal: AbortSignal): Promise<string>;
  /**
   * Deletes the documents unused for a while (an hour), and those of dead processes that are
   * overdue in the registry; runs by itself every few minutes.
   */
  sweep(): Promise<void>;
  /** Deletes every document this process uploaded (shutdown); the cache stays usable. */
  close(): Promise<void>;
}

interface Entry {
  fileId?: Promise<string> | undefined;
  /** The file id, once uploaded. */
  id?: string;
  /** When the registry has it overdue (what this process last noted). */
  overdueAt?: number;
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
// A document is overdue in the registry this long after its owner would have deleted it, and
// noted again only when that moves by more than a sweep: the owner deletes its own in time
// (unused + keep + at most a sweep), and nobody deletes a document a living process still uses.
const ORPHAN_GRACE_MS = 3 * SWEEP_EVERY_MS;
const NOTE_STEP_MS = SWEEP_EVERY_MS;
const ORPHANS_PER_SWEEP = 100;

export interface DocumentCacheOptions {
  readonly now?: () => number;
  /** Told when a delete fails: the file then stays at Mistral (until a later sweep, with a registry). */
  readonly onRemoveFailed?: (error: unknown) => void;
  /** Shared by every process: documents of a process that died are deleted by another. */
  readonly registry?: DocumentRegistry;
  /** Told when the registry cannot be reached: a document may then outlive a crash. */
  readonly onRegistryFailed?: (error: unknown) => void;
}

/**
 * Hands documents to Mistral without uploading the same one again every turn: the file id is
 * kept by content hash, and a signed URL reused until it nears its expiry. A person's files are
 * theirs: each is deleted at Mistral once unused for an hour, when more than 500 are held
 * (the oldest first), and when the process stops. With a registry, one whose process died is
 * deleted by another process once overdue (some 15 minutes after its owner would have).
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

  const registry = options.registry;
  const registryFailed = (error: unknown) => options.onRegistryFailed?.(error);

  /** Deletes documents at Mistral; those deleted are forgotten, the others stay noted. */
  async function removeIds(fileIds: readonly string[]): Promise<string[]> {
    const removed = await Promise.all(
      fileIds.map((fileId) =>
        files.remove(fileId).then(
          () => fileId,
          (error: unknown) => void options.onRemoveFailed?.(error),
        ),
      ),
    );
    const deleted = removed.filter((fileId) => fileId !== undefined);
    await registry?.forget(deleted).catch(registryFailed);
    return deleted;
  }

  async function remove(gone: readonly Entry[]): Promise<void> {
    const fileIds = await Promise.all(gone.map((entry) => entry.fileId?.catch(() => undefined)));
    await removeIds(fileIds.filter((fileId) => fileId !== undefined));
  }

  /** Notes the document in the registry when its overdue time moves by more than a step. */
  function note(entry: Entry, fileId: string): void {
    if (registry === undefined) return;
    const overdueAt = now() + KEEP_UNUSED_MS + ORPHAN_GRACE_MS;
    if (entry.overdueAt !== undefined && overdueAt - entry.overdueAt <= NOTE_STEP_MS) return;
    entry.overdueAt = overdueAt;
    registry.hold(fileId, overdueAt).catch(registryFailed);
  }

  /** Deletes documents of dead processes that are overdue; one this process holds is noted again. */
  async function removeOrphans(): Promise<void> {
    if (registry === undefined) return;
    const overdue = await registry.takeOverdue(now(), ORPHANS_PER_SWEEP).catch((error: unknown) => {
      registryFailed(error);
      return [];
    });
    const own = new Set([...entries.values()].map((entry) => entry.id));
    const retryAt = now() + SWEEP_EVERY_MS;
    const orphans = overdue.filter((fileId) => !own.has(fileId));
    for (const fileId of overdue.filter((id) => own.has(id)))
      await registry.hold(fileId, now() + KEEP_UNUSED_MS + ORPHAN_GRACE_MS).catch(registryFailed);
    const deleted = new Set(await removeIds(orphans));
    // Not deleted (Mistral down): noted again, for the next sweep of any process.
    for (const fileId of orphans.filter((id) => !deleted.has(id)))
      await registry.hold(fileId, retryAt).catch(registryFailed);
  }

  const startSweeping = () => {
    timer ??= setInterval(() => void cache.sweep(), SWEEP_EVERY_MS).unref();
  };

  function hold(key: string): Entry {
    const entry = entries.get(key) ?? { lastUsedAt: now() };
    const pushedOut = setBounded(entries, key, entry, MOST_DOCUMENTS);
    if (pushedOut !== undefined) retired.push(pushedOut);
    startSweeping();
    return entry;
  }

  const cache: DocumentCache = {
    async urlOf(file, signal) {
      const entry = hold(keyOf(file.bytes));
      entry.lastUsedAt = now();
      if (entry.id !== undefined) note(entry, entry.id);
      if (entry.url !== undefined && entry.url.until - URL_MARGIN_MS > now())
        return entry.url.value;
      entry.fileId ??= files.upload(file, signal);
      const fileId = await entry.fileId.catch((error: unknown) => {
        entry.fileId = undefined;
        throw error;
      });
      entry.id = fileId;
      note(entry, fileId);
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
      await removeOrphans();
    },
    async close() {
      clearInterval(timer);
      timer = undefined;
      const gone = [...retired.splice(0), ...entries.values()];
      entries.clear();
      await remove(gone);
    },
  };
  // Dead processes' documents are looked for even where this one uploads none.
  if (registry !== undefined) startSweeping();
  return cache;
}
