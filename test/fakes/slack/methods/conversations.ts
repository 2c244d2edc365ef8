/** conversations.replies (cursor-paginated) and conversations.info. */
import { type Args, intArg, stringArg } from '../args.js';
import { isRejection } from '../rules.js';
import type { FakeChannel } from '../types.js';
import {
  fail,
  isBotIn,
  knownChannel,
  type MethodContext,
  type MethodResult,
  missingArgument,
} from './method.js';
import { toSlackMessage } from './wire.js';

/** conversations.replies: "limit … default 1000"; larger values are clamped to it. */
const MAX_REPLIES_PAGE = 1_000;
const CURSOR_PREFIX = 'offset:';

function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`).toString('base64');
}

/** The offset an opaque cursor stands for; `undefined` for a cursor the fake never issued. */
function decodeCursor(cursor: string): number | undefined {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (!decoded.startsWith(CURSOR_PREFIX)) return undefined;
  const offset = Number(decoded.slice(CURSOR_PREFIX.length));
  return Number.isInteger(offset) && offset >= 0 ? offset : undefined;
}

function pageSize(args: Args): number {
  const limit = intArg(args, 'limit');
  return limit === undefined || limit <= 0 ? MAX_REPLIES_PAGE : Math.min(limit, MAX_REPLIES_PAGE);
}

export function replies(context: MethodContext, args: Args): MethodResult {
  const channel = knownChannel(context, args);
  if (isRejection(channel)) return fail(channel.error);
  const ts = stringArg(args, 'ts');
  if (ts === undefined) return missingArgument('ts');
  const anchor = context.workspace.find(channel.id, ts);
  if (anchor === undefined) return fail('thread_not_found');
  const cursor = stringArg(args, 'cursor');
  const offset = cursor === undefined ? 0 : decodeCursor(cursor);
  if (offset === undefined) return fail('invalid_cursor');

  const thread = context.workspace.thread(channel.id, anchor.threadTs ?? anchor.ts);
  const end = offset + pageSize(args);
  const messages = thread.slice(offset, end).map((m) => toSlackMessage(m, context.workspace));
  const hasMore = end < thread.length;
  return {
    ok: true,
    messages,
    has_more: hasMore,
    ...(hasMore ? { response_metadata: { next_cursor: encodeCursor(end) } } : {}),
  };
}

function channelInfo(channel: FakeChannel): Record<string, unknown> {
  const kind = channel.id[0];
  return {
    id: channel.id,
    name: channel.name ?? channel.id.toLowerCase(),
    is_channel: kind === 'C',
    is_group: kind === 'G',
    is_im: kind === 'D',
    is_private: kind !== 'C',
    is_member: isBotIn(channel),
    is_archived: false,
    ...(channel.user === undefined ? {} : { user: channel.user }),
  };
}

export function info(context: MethodContext, args: Args): MethodResult {
  const channel = knownChannel(context, args);
  if (isRejection(channel)) return fail(channel.error);
  return { ok: true, channel: channelInfo(channel) };
}
