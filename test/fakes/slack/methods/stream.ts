/** chat.startStream, chat.appendStream and chat.stopStream: one message that grows while streaming. */
import { type Args, stringArg } from '../args.js';
import { isRejection, type Rejection, readBlocks, readStreamText } from '../rules.js';
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

const DM_CHANNEL_PREFIX = 'D';

/** Outside a DM, Slack must know who the stream is for. */
function recipientError(context: MethodContext, channel: string, args: Args): string | undefined {
  if (channel.startsWith(DM_CHANNEL_PREFIX)) return undefined;
  if (stringArg(args, 'recipient_team_id') === undefined) return 'missing_recipient_team_id';
  const userId = stringArg(args, 'recipient_user_id');
  if (userId === undefined) return 'missing_recipient_user_id';
  return context.workspace.users.has(userId) ? undefined : 'user_not_found';
}

export function startStream(context: MethodContext, args: Args): MethodResult {
  const channel = knownChannel(context, args);
  if (isRejection(channel)) return fail(channel.error);
  const threadTs = stringArg(args, 'thread_ts');
  if (threadTs === undefined) return missingArgument('thread_ts');
  const root = threadRoot(context, channel.id, threadTs);
  if (isRejection(root)) return fail(root.error);
  const recipient = recipientError(context, channel.id, args);
  if (recipient !== undefined) return fail(recipient);
  const initial = readStreamText(args);
  if (isRejection(initial)) return fail(initial.error);

  const fields = { channel: channel.id, threadTs: root, text: initial.text, blocks: undefined };
  const record = { ...botMessage(context, fields, args), stream: 'streaming' as const };
  record.lastStreamAt = context.clock();
  context.workspace.clearStatusOnReply(channel.id, root);
  context.workspace.insert(record);
  return { ok: true, channel: channel.id, ts: record.ts };
}

/** The bot's message at `args.ts`, still streaming; an idle stream expires first when configured. */
function streamingMessage(context: MethodContext, args: Args): MessageRecord | Rejection {
  const channel = knownChannel(context, args);
  if (isRejection(channel)) return channel;
  const ts = stringArg(args, 'ts');
  const record = ts === undefined ? undefined : context.workspace.find(channel.id, ts);
  if (record === undefined || !record.isBot) return { error: 'message_not_found' };
  const idleMs = context.clock() - record.lastStreamAt;
  if (
    record.stream === 'streaming' &&
    context.streamIdleMs !== undefined &&
    idleMs > context.streamIdleMs
  ) {
    record.stream = 'stopped';
  }
  if (record.stream !== 'streaming') return { error: 'message_not_in_streaming_state' };
  return record;
}

export function appendStream(context: MethodContext, args: Args): MethodResult {
  const record = streamingMessage(context, args);
  if (isRejection(record)) return fail(record.error);
  const added = readStreamText(args);
  if (isRejection(added)) return fail(added.error);
  if (!added.provided) return missingArgument('markdown_text');

  record.text += added.text;
  record.appends += 1;
  record.lastStreamAt = context.clock();
  noteMentions(record);
  context.workspace.changed();
  return { ok: true, channel: record.channel, ts: record.ts };
}

export function stopStream(context: MethodContext, args: Args): MethodResult {
  const record = streamingMessage(context, args);
  if (isRejection(record)) return fail(record.error);
  const added = readStreamText(args);
  if (isRejection(added)) return fail(added.error);
  const blocks = readBlocks(args);
  if (isRejection(blocks)) return fail(blocks.error);

  record.text += added.text;
  // stopStream's blocks are "rendered at the bottom of the finalized message".
  if (blocks !== undefined) record.blocks = [...(record.blocks ?? []), ...blocks];
  record.stream = 'stopped';
  noteMentions(record);
  context.workspace.changed();
  return {
    ok: true,
    channel: record.channel,
    ts: record.ts,
    message: toSlackMessage(record, context.workspace),
  };
}
