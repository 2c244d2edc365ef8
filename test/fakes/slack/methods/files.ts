/** files.getUploadURLExternal, files.completeUploadExternal and files.info, with Slack's rules. */
import { type Args, stringArg } from '../args.js';
import type { FileRecord } from '../file-store.js';
import { kindOf } from '../file-types.js';
import { isRejection, type Rejection, readBlocks } from '../rules.js';
import { toSlackFile } from './file-wire.js';
import {
  botMessage,
  fail,
  invalidArgument,
  isBotIn,
  type MethodContext,
  type MethodResult,
  memberChannel,
  missingArgument,
  threadRoot,
} from './method.js';

/**
 * Slack: "Files uploaded to Slack can be up to 1 GB". Read as 10^9 bytes, the stricter of the two
 * readings, so nothing the fake accepts is refused by Slack. Past it, `file_upload_size_restricted`,
 * getUploadURLExternal's one error about a file's size.
 */
export const SLACK_MAX_FILE_BYTES = 1_000_000_000;
/** getUploadURLExternal `snippet_too_large`: snippets "are limited to 1MB". */
export const SLACK_MAX_SNIPPET_BYTES = 1_000_000;
/** getUploadURLExternal `alt_txt_too_large`: "longer than the limit of 1000 character". */
export const SLACK_MAX_ALT_TEXT_LENGTH = 1_000;

const DIGITS = /^\d+$/;
const TS_PATTERN = /^\d+\.\d+$/;

type FileRef = { readonly id: string; readonly title: string | undefined };
type Destination = { readonly channel: string; readonly threadTs: string | undefined };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `length` in bytes: a whole number (a form sends it as text), more than 0, at most 1 GB. */
function readLength(args: Args): number | MethodResult {
  const { length } = args;
  if (length === undefined || length === '') return missingArgument('length');
  if (!DIGITS.test(String(length))) return invalidArgument('length');
  const bytes = Number(length);
  // The docs: `missing_argument` "typically only occurs when the `length` provided is 0".
  if (bytes === 0) return fail('missing_argument');
  return bytes > SLACK_MAX_FILE_BYTES ? fail('file_upload_size_restricted') : bytes;
}

/**
 * Slack documents `alt_txt`. WebClient's filesUploadV2 sends `alt_text`, which the fake, like the
 * docs, does not read: an app that wants alt text calls getUploadURLExternal itself.
 */
export function getUploadURLExternal(context: MethodContext, args: Args): MethodResult {
  const filename = stringArg(args, 'filename');
  if (filename === undefined) return missingArgument('filename');
  const length = readLength(args);
  if (typeof length !== 'number') return length;
  const altText = stringArg(args, 'alt_txt');
  if (altText !== undefined && altText.length > SLACK_MAX_ALT_TEXT_LENGTH) {
    return fail('alt_txt_too_large');
  }
  const snippetType = stringArg(args, 'snippet_type');
  if (snippetType !== undefined && length > SLACK_MAX_SNIPPET_BYTES) {
    return fail('snippet_too_large');
  }

  const inferred = kindOf(filename);
  const kind =
    snippetType === undefined
      ? inferred
      : { ...inferred, mimetype: 'text/plain', filetype: snippetType };
  const { file, uploadUrl } = context.workspace.files.startUpload({
    name: filename,
    title: filename,
    kind,
    mode: snippetType === undefined ? 'hosted' : 'snippet',
    declaredLength: length,
    user: context.workspace.identity.botUserId,
    created: Math.floor(context.clock() / 1000),
    altText,
  });
  context.workspace.changed();
  return { ok: true, upload_url: uploadUrl, file_id: file.id };
}

/** `files`: a non-empty JSON array of `{ id, title? }`. */
function readFileRefs(args: Args): FileRef[] | MethodResult {
  const { files } = args;
  if (files === undefined || files === '') return missingArgument('files');
  if (!Array.isArray(files) || files.length === 0) return invalidArgument('files');
  const refs: FileRef[] = [];
  for (const entry of files) {
    if (!isRecord(entry) || typeof entry.id !== 'string') return invalidArgument('files');
    const title = typeof entry.title === 'string' && entry.title !== '' ? entry.title : undefined;
    refs.push({ id: entry.id, title });
  }
  return refs;
}

/**
 * The app's own uploads, each with its bytes in and not completed yet. Anything else — an unknown
 * id, bytes that never arrived, a second completion — is `file_not_found`: "Could not find the
 * file from the upload ticket" (the docs: "This method can only be called once").
 */
function uploadsToComplete(context: MethodContext, refs: FileRef[]): FileRecord[] | Rejection {
  const { files, identity } = context.workspace;
  const found = refs.map((ref) => files.get(ref.id));
  const isReady = (file: FileRecord | undefined): file is FileRecord =>
    file?.user === identity.botUserId && file.state === 'uploaded';
  const isEachOnce = new Set(refs.map((ref) => ref.id)).size === refs.length;
  return found.every(isReady) && isEachOnce ? found : { error: 'file_not_found' };
}

/** Where the files go: nowhere (they stay private), a channel the bot is in, or a thread in it. */
function destination(context: MethodContext, args: Args): Destination | undefined | Rejection {
  const threadTs = stringArg(args, 'thread_ts');
  if (stringArg(args, 'channel_id') === undefined) {
    // A thread only exists in a channel; WebClient's types forbid thread_ts without channel_id.
    return threadTs === undefined ? undefined : { error: 'invalid_arguments' };
  }
  const channel = memberChannel(context, args, 'channel_id');
  if (isRejection(channel)) return channel;
  if (threadTs === undefined) return { channel: channel.id, threadTs: undefined };
  if (!TS_PATTERN.test(threadTs)) return { error: 'invalid_thread_ts' };
  const root = threadRoot(context, channel.id, threadTs);
  return isRejection(root) ? root : { channel: channel.id, threadTs: root };
}

/** The message that shares the files: `initial_comment` as its text; blocks only without one. */
function share(
  context: MethodContext,
  target: Destination,
  files: FileRecord[],
  args: Args,
  blocks: unknown[] | undefined,
): void {
  const text = stringArg(args, 'initial_comment') ?? '';
  const fields = { ...target, text, blocks: text === '' ? blocks : undefined };
  const record = { ...botMessage(context, fields, args), files: files.map((file) => file.id) };
  for (const file of files) file.share = { ...target, ts: record.ts };
  context.workspace.clearStatusOnReply(target.channel, target.threadTs);
  context.workspace.insert(record);
}

export function completeUploadExternal(context: MethodContext, args: Args): MethodResult {
  const refs = readFileRefs(args);
  if (!Array.isArray(refs)) return refs;
  const files = uploadsToComplete(context, refs);
  if (isRejection(files)) return fail(files.error);
  const target = destination(context, args);
  if (isRejection(target)) return fail(target.error);
  const blocks = readBlocks(args);
  if (isRejection(blocks)) return fail(blocks.error);

  files.forEach((file, index) => {
    file.title = refs[index]?.title ?? file.title;
    file.state = 'completed';
  });
  if (target !== undefined) share(context, target, files, args, blocks);
  context.workspace.changed();
  return { ok: true, files: files.map((file) => toSlackFile(file, context.workspace)) };
}

/** The bot sees its own completed uploads, and what people shared where it is a member. */
function isVisibleToBot(context: MethodContext, file: FileRecord): boolean {
  const { channels, identity } = context.workspace;
  if (file.state !== 'completed') return false;
  if (file.user === identity.botUserId) return true;
  const channel = file.share === undefined ? undefined : channels.get(file.share.channel);
  return channel !== undefined && isBotIn(channel);
}

export function filesInfo(context: MethodContext, args: Args): MethodResult {
  const id = stringArg(args, 'file');
  if (id === undefined) return missingArgument('file');
  const file = context.workspace.files.get(id);
  if (file === undefined || !isVisibleToBot(context, file)) return fail('file_not_found');
  return {
    ok: true,
    file: toSlackFile(file, context.workspace, true),
    comments: [],
    response_metadata: { next_cursor: '' },
  };
}
