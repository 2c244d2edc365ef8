/** The workspace's files: the app's external uploads as they progress, and the files people attach. */
import { randomBytes } from 'node:crypto';
import type { FileKind } from './file-types.js';
import type { DownloadAttempts, FakeFile } from './types.js';

/** Where the fake serves upload URLs (`files.slack.com/upload/v1/…` on Slack). */
export const UPLOAD_PATH = '/upload/v1/';
/** Where the fake serves `url_private` and `url_private_download` (`files.slack.com/files-pri/…`). */
export const FILES_PATH = '/files-pri/';

/** An app upload waits for its bytes, then for `files.completeUploadExternal`; people's files are complete. */
export type FileState = 'awaiting_bytes' | 'uploaded' | 'completed';

export interface FileShare {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
}

/** A stored file; mutable inside the fake, handed out as a {@link FakeFile} copy. */
export interface FileRecord {
  readonly id: string;
  readonly name: string;
  title: string;
  readonly kind: FileKind;
  /** `snippet` when the upload named a `snippet_type`. */
  readonly mode: 'hosted' | 'snippet';
  /** The `length` the upload declared; the bytes must match it. */
  readonly declaredLength: number;
  bytes: Buffer | undefined;
  readonly user: string;
  /** Unix seconds. */
  readonly created: number;
  readonly altText: string | undefined;
  state: FileState;
  share: FileShare | undefined;
}

export type NewFile = Omit<FileRecord, 'id' | 'state' | 'share' | 'bytes'>;

function randomId(prefix: string, bytes: number): string {
  return `${prefix}${randomBytes(bytes).toString('hex').toUpperCase()}`;
}

export class FileStore {
  /** The fake's base URL, known once its server listens; file URLs are built on it. */
  origin = '';
  readonly #files = new Map<string, FileRecord>();
  /** Upload URL key → file id; a key is good until its file is completed. */
  readonly #uploadKeys = new Map<string, string>();
  readonly #downloads = new Map<string, { authorized: number; unauthorized: number }>();

  /** Registers an app upload (`files.getUploadURLExternal`); the bytes come later to `uploadUrl`. */
  startUpload(fields: NewFile): { file: FileRecord; uploadUrl: string } {
    const file = this.#add(fields, 'awaiting_bytes', undefined);
    const key = randomBytes(18).toString('base64url');
    this.#uploadKeys.set(key, file.id);
    return { file, uploadUrl: `${this.origin}${UPLOAD_PATH}${key}` };
  }

  /** The upload an upload URL key stands for, while that URL is still good. */
  pendingUpload(key: string): FileRecord | undefined {
    const id = this.#uploadKeys.get(key);
    const file = id === undefined ? undefined : this.#files.get(id);
    return file?.state === 'completed' ? undefined : file;
  }

  /** A file a person attached: complete from the start. */
  addUserFile(fields: NewFile, bytes: Buffer): FileRecord {
    return this.#add(fields, 'completed', bytes);
  }

  get(id: string): FileRecord | undefined {
    return this.#files.get(id);
  }

  all(): FileRecord[] {
    return [...this.#files.values()];
  }

  countDownload(id: string, isAuthorized: boolean): void {
    const counts = this.#downloads.get(id) ?? { authorized: 0, unauthorized: 0 };
    if (isAuthorized) counts.authorized += 1;
    else counts.unauthorized += 1;
    this.#downloads.set(id, counts);
  }

  /** Download attempts for one file, or summed over every file. */
  downloads(id?: string): DownloadAttempts {
    const counts = id === undefined ? [...this.#downloads.values()] : [this.#downloads.get(id)];
    return counts.reduce<DownloadAttempts>(
      (sum, entry) => ({
        authorized: sum.authorized + (entry?.authorized ?? 0),
        unauthorized: sum.unauthorized + (entry?.unauthorized ?? 0),
      }),
      { authorized: 0, unauthorized: 0 },
    );
  }

  clear(): void {
    this.#files.clear();
    this.#uploadKeys.clear();
    this.#downloads.clear();
  }

  #add(fields: NewFile, state: FileState, bytes: Buffer | undefined): FileRecord {
    const file: FileRecord = { ...fields, id: randomId('F', 5), state, share: undefined, bytes };
    this.#files.set(file.id, file);
    return file;
  }
}

/** A copy of a stored file, safe to hand to tests. */
export function fileSnapshot(file: FileRecord): FakeFile {
  const bytes = Buffer.from(file.bytes ?? []);
  return {
    id: file.id,
    name: file.name,
    title: file.title,
    mimetype: file.kind.mimetype,
    filetype: file.kind.filetype,
    size: bytes.length,
    bytes,
    user: file.user,
    altText: file.altText,
    channel: file.share?.channel,
    ts: file.share?.ts,
    threadTs: file.share?.threadTs,
  };
}
