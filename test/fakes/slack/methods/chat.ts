/** chat.postMessage, chat.update, chat.delete and chat.postEphemeral with Slack's rules. */
import { type Args, stringArg } from '../args.js';
import { isRejection, type Rejection, readMessageContent } from '../rules.js';
import { type MessageRecord, noteMentions } from '../workspace.js';
import {
  botMessage,
  fail,
  knownChannel,
  type MethodContext,
  type MethodResult,
  missingArgument,
  threadRoot,
} from './method.js';
import { toSlackMessage } from './wire.js';

/** The thread a post goes to: none, the root of `thread_ts`, or `thread_not_found`. */
function targetThread(
  context: MethodContext,
  channel: string,
  args: Args,
): string | undefined | Rejection {
  const threadTs = stringArg(args, 'thread_ts');
  return threadTs === undefined ? undefined : threadRoot(context, channel, threadTs);
}

export function postMessage(context: MethodContext, args: Args): MethodResult {
  const channel = knownChannel(context, args);
  if (isRejection(channel)) return fail(channel.error);
  const content = readMessageContent(args);
  if (isRejection(content)) return fail(content.error);
  const threadTs = targetThread(context, channel.id, args);
  if (isRejection(threadTs)) return fail(threadTs.error);

  const record = botMessage(context, { channel: channel.id, threadTs, ...content }, args);
  context.workspace.clearStatusOnReply(channel.id, threadTs);
  context.workspace.insert(record);
  return {
    ok: true,
    channel: channel.id,
    ts: record.ts,
    message: toSlackMessage(record, context.workspace),
  };
}

/** The bot's own message at `args.ts`, or why it can't be changed. */
function ownMessage(
  context: MethodContext,
  args: Args,
  notOwnError: string,
): MessageRecord | Rejection {
  const channel = knownChannel(context, args);
  if (isRejection(channel)) return channel;
  const ts = stringArg(args, 'ts');
  const record = ts === undefined ? undefined : context.workspace.find(channel.id, ts);
  if (record === undefined) return { error: 'message_not_found' };
  if (!record.isBot || record.user !== context.workspace.identity.botUserId) {
    return { error: notOwnError };
  }
  return record;
}

export function update(context: MethodContext, args: Args): MethodResult {
  const record = ownMessage(context, args, 'cant_update_message');
  if (isRejection(record)) return fail(record.error);
  const content = readMessageContent(args);
  if (isRejection(content)) return fail(content.error);

  record.text = content.text;
  // Slack keeps the previous blocks when `blocks` is left out; `[]` removes them.
  if (content.blocks !== undefined)
    record.blocks = content.blocks.length > 0 ? content.blocks : undefined;
  record.edits += 1;
  noteMentions(record);
  context.workspace.changed();
  return {
    ok: true,
    channel: record.channel,
    ts: record.ts,
    text: record.text,
    message: toSlackMessage(record, context.workspace),
  };
}

export function deleteMessage(context: MethodContext, args: Args): MethodResult {
  const record = ownMessage(context, args, 'cant_delete_message');
  if (isRejection(record)) return fail(record.error);

  context.workspace.remove(record.channel, record.ts);
  return { ok: true, channel: record.channel, ts: record.ts };
}

export function postEphemeral(context: MethodContext, args: Args): MethodResult {
  const channel = knownChannel(context, args);
  if (isRejection(channel)) return fail(channel.error);
  const user = stringArg(args, 'user');
  if (user === undefined) return missingArgument('user');
  if (!context.workspace.users.has(user)) return fail('user_not_found');
  const content = readMessageContent(args);
  if (isRejection(content)) return fail(content.error);
  const threadTs = targetThread(context, channel.id, args);
  if (isRejection(threadTs)) return fail(threadTs.error);

  context.workspace.ephemerals.push({ channel: channel.id, user, threadTs, ...content });
  context.workspace.changed();
  return { ok: true, message_ts: context.workspace.mintTs() };
}
