import type { PreparedFile } from '../agent/agent-client.js';
import type { Logger } from '../log/logger.js';
import { mimeTypeOf, VIEWABLE_IMAGE_TYPES } from './mime-types.js';
import type { Attachment, FileBytes, FileReader, Message } from './model.js';

/** What files reach an agent, and how (issue: images, text files, PDFs; the rest named). */
export const FILE_LIMITS = {
  /** Largest file read at all. */
  maxBytes: 10 * 1024 * 1024,
  /** Largest text-like file inlined. */
  maxTextBytes: 100 * 1024,
  /** Images one message may show the agent. */
  maxImagesPerMessage: 4,
  /** What one request carries at most, newest messages first: older files are named only. */
  maxFilesPerRequest: 8,
  maxBytesPerRequest: 20 * 1024 * 1024,
  /**
   * Text inlined from files in one request, newest first (~50k tokens): eight 100 kB files
   * would be ~200k tokens, past what most models read at once, and every turn of the thread
   * would then fail until they aged out of its history.
   */
  maxTextCharsPerRequest: 200_000,
} as const;

const TEXT_EXTENSIONS = new Set(
  (
    'txt md markdown csv tsv json jsonl yaml yml toml ini xml html css log sql ' +
    'py js mjs cjs ts tsx jsx java kt swift c h cpp hpp cs go rs rb php sh bash zsh r scala lua'
  ).split(' '),
);

type Kind = PreparedFile['kind'];

/** Why a file was named only. */
type Refusal = 'type' | 'size' | 'count' | 'unreadable' | 'vision' | 'request' | 'text';

const REFUSAL_TEXT: Readonly<Record<Refusal, string>> = {
  type: 'not an image, PDF or text file',
  size: 'too large',
  count: `more than ${FILE_LIMITS.maxImagesPerMessage} images`,
  request: 'too many files in this conversation at once',
  text: 'too much file text in this conversation at once',
  unreadable: 'could not be read',
  vision: 'this agent does not read images',
};

export interface PreparedFiles {
  readonly files: ReadonlyMap<string, readonly PreparedFile[]>;
  /** One line for the person about the newest message's files the agent cannot see, if any. */
  readonly notice: string | undefined;
}

export interface FilePreparer {
  prepare(
    history: readonly Message[],
    newest: string,
    read: FileReader | undefined,
    options?: { readonly signal?: AbortSignal; readonly readsImages?: boolean },
  ): Promise<PreparedFiles>;
}

// Files read lately, by reference, so a long thread does not download its images every turn.
const CACHE_BYTES = 64 * 1024 * 1024;

/** Reads the files of a history's user lines and makes them ready for the agent. */
export function createFilePreparer(logger: Logger): FilePreparer {
  const cache = new Map<string, FileBytes>();
  let cachedBytes = 0;

  async function read(
    attachment: Attachment,
    reader: FileReader,
    signal: AbortSignal | undefined,
  ): Promise<FileBytes> {
    const known = cache.get(attachment.ref);
    if (known !== undefined) {
      cache.delete(attachment.ref);
      cache.set(attachment.ref, known);
      return known;
    }
    const file = await reader(attachment, signal);
    if (file.bytes.byteLength > FILE_LIMITS.maxBytes) throw new RangeError('file over the limit');
    cache.set(attachment.ref, file);
    cachedBytes += file.bytes.byteLength;
    for (const [ref, old] of cache) {
      if (cachedBytes <= CACHE_BYTES) break;
      cache.delete(ref);
      cachedBytes -= old.bytes.byteLength;
    }
    return file;
  }

  async function prepareOne(
    attachment: Attachment,
    kind: Kind,
    reader: FileReader,
    signal: AbortSignal | undefined,
  ): Promise<PreparedFile | Refusal> {
    try {
      const file = await read(attachment, reader, signal);
      if (kind === 'text') {
        if (file.bytes.byteLength > FILE_LIMITS.maxTextBytes) return 'size';
        const text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
        return { kind: 'text', name: attachment.name, text };
      }
      const mimeType = kind === 'image' ? imageType(attachment, file) : 'application/pdf';
      return { kind, file: { ...file, name: attachment.name, mimeType } } as PreparedFile;
    } catch (error) {
      if (signal?.aborted === true) throw error;
      logger.warn('attached file not read', { error });
      return error instanceof RangeError ? 'size' : 'unreadable';
    }
  }

  return {
    async prepare(history, newest, reader, options = {}) {
      const { signal } = options;
      /** `imageNumber` counts this message's images so far, this one included. */
      const prepareAttachment = async (
        attachment: Attachment,
        imageNumber: number,
      ): Promise<PreparedFile | Refusal> => {
        const kind = kindOf(attachment);
        if (kind === 'named') return 'type';
        if (!isReadable(kind)) return kind;
        if (kind === 'image' && options.readsImages === false) return 'vision';
        if (kind === 'image' && imageNumber > FILE_LIMITS.maxImagesPerMessage) return 'count';
        if (reader === undefined || attachment.ref === '') return 'unreadable';
        return prepareOne(attachment, kind, reader, signal);
      };
      const files = new Map<string, PreparedFile[]>();
      const refused: string[] = [];
      // Newest first, so a long thread's old files give way to what was just sent.
      let sent = 0;
      let sentBytes = 0;
      let sentText = 0;
      for (const message of [...history].reverse()) {
        if (message.role !== 'user' || message.attachments.length === 0) continue;
        const prepared: PreparedFile[] = [];
        let images = 0;
        for (const attachment of message.attachments) {
          images += isImage(attachment);
          const number = images;
          let outcome: PreparedFile | Refusal =
            sent >= FILE_LIMITS.maxFilesPerRequest
              ? 'request'
              : await prepareAttachment(attachment, number);
          if (typeof outcome !== 'string') {
            const bytes = preparedBytes(outcome);
            const text = outcome.kind === 'text' ? outcome.text.length : 0;
            if (sentBytes + bytes > FILE_LIMITS.maxBytesPerRequest) outcome = 'request';
            else if (sentText + text > FILE_LIMITS.maxTextCharsPerRequest) outcome = 'text';
            else {
              sentBytes += bytes;
              sentText += text;
              sent += 1;
            }
          }
          if (typeof outcome === 'string') {
            prepared.push({ kind: 'named', name: attachment.name });
            if (message.id === newest)
              refused.push(`${attachment.name} (${REFUSAL_TEXT[outcome]})`);
          } else prepared.push(outcome);
        }
        files.set(message.id, prepared);
      }
      return { files, notice: noticeOf(refused) };
    },
  };
}

function preparedBytes(file: PreparedFile): number {
  if (file.kind === 'text') return file.text.length;
  return file.kind === 'named' ? 0 : file.file.bytes.byteLength;
}

function isReadable(value: Kind | Refusal): value is Exclude<Kind, 'named'> {
  return value === 'image' || value === 'text' || value === 'document';
}

function isImage(attachment: Attachment): number {
  return kindOf(attachment) === 'image' ? 1 : 0;
}

/** How a file would go, from what the platform said of it (before reading a byte). */
function kindOf(attachment: Attachment): Kind | Refusal {
  if (attachment.size !== undefined && attachment.size > FILE_LIMITS.maxBytes) return 'size';
  const extension = attachment.name.split('.').at(-1)?.toLowerCase() ?? '';
  const mime = attachment.mimeType?.toLowerCase().split(';')[0]?.trim() ?? '';
  if (VIEWABLE_IMAGE_TYPES.has(mime) || VIEWABLE_IMAGE_TYPES.has(mimeTypeOf(extension) ?? ''))
    return 'image';
  if (mime === 'application/pdf' || extension === 'pdf') return 'document';
  if (TEXT_EXTENSIONS.has(extension) || mime.startsWith('text/') || mime === 'application/json') {
    if (attachment.size !== undefined && attachment.size > FILE_LIMITS.maxTextBytes) return 'size';
    return 'text';
  }
  return 'named';
}

function imageType(attachment: Attachment, file: FileBytes): string {
  const mime = (attachment.mimeType ?? file.mimeType).toLowerCase().split(';')[0]?.trim() ?? '';
  if (VIEWABLE_IMAGE_TYPES.has(mime)) return mime;
  return mimeTypeOf(attachment.name) ?? 'image/png';
}

function noticeOf(refused: readonly string[]): string | undefined {
  if (refused.length === 0) return undefined;
  const names = refused.map((item) => item.replace(/[*_`~<>[\]\r\n]/g, ' ')).join(', ');
  return `The agent only gets the name of: ${names}.`;
}
