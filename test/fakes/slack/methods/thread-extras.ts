/** assistant.threads.setStatus and reactions.add / reactions.remove. */
import { type Args, rawStringArg, stringArg } from '../args.js';
import { isRejection, type Rejection } from '../rules.js';
import type { MessageRecord } from '../workspace.js';
import {
  fail,
  knownChannel,
  type MethodContext,
  type MethodResult,
  missingArgument,
} from './method.js';

export function setAssistantStatus(context: MethodContext, args: Args): MethodResult {
  const channel = knownChannel(context, args, 'channel_id');
  if (isRejection(channel)) return fail(channel.error);
  const threadTs = stringArg(args, 'thread_ts');
  if (threadTs === undefined) return missingArgument('thread_ts');
  // An empty status is how an app clears it.
  const status = rawStringArg(args, 'status');
  if (status === undefined) return missingArgument('status');

  context.workspace.statuses.push({ channel: channel.id, threadTs, status });
  context.workspace.changed();
  return { ok: true };
}

function reactionTarget(
  context: MethodContext,
  args: Args,
): { message: MessageRecord; name: string } | Rejection {
  const channel = knownChannel(context, args);
  if (isRejection(channel)) return channel;
  const name = stringArg(args, 'name');
  if (name === undefined) return { error: 'invalid_name' };
  const ts = stringArg(args, 'timestamp');
  const message = ts === undefined ? undefined : context.workspace.find(channel.id, ts);
  return message === undefined ? { error: 'message_not_found' } : { message, name };
}

export function addReaction(context: MethodContext, args: Args): MethodResult {
  const target = reactionTarget(context, args);
  if (isRejection(target)) return fail(target.error);
  if (target.message.reactions.includes(target.name)) return fail('already_reacted');

  target.message.reactions.push(target.name);
  context.workspace.changed();
  return { ok: true };
}

export function removeReaction(context: MethodContext, args: Args): MethodResult {
  const target = reactionTarget(context, args);
  if (isRejection(target)) return fail(target.error);
  const index = target.message.reactions.indexOf(target.name);
  if (index < 0) return fail('no_reaction');

  target.message.reactions.splice(index, 1);
  context.workspace.changed();
  return { ok: true };
}
