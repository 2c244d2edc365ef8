/** What a Web API method handler gets and returns. */
import { type Args, stringArg } from '../args.js';
import type { Rejection } from '../rules.js';
import type { FakeChannel } from '../types.js';
import { type MessageRecord, newRecord, type Workspace } from '../workspace.js';

export interface MethodContext {
  readonly workspace: Workspace;
  readonly clock: () => number;
  readonly streamIdleMs: number | undefined;
}

export type MethodResult =
  | ({ readonly ok: true } & Readonly<Record<string, unknown>>)
  | { readonly ok: false; readonly error: string; readonly response_metadata?: unknown };

export type MethodHandler = (context: MethodContext, args: Args) => MethodResult;

export function fail(error: string): MethodResult {
  return { ok: false, error };
}

/** Slack's answer to a missing required argument. */
export function missingArgument(name: string): MethodResult {
  return {
    ok: false,
    error: 'invalid_arguments',
    response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
  };
}

/** Slack's answer to an argument of the wrong type or shape. */
export function invalidArgument(name: string): MethodResult {
  return {
    ok: false,
    error: 'invalid_arguments',
    response_metadata: { messages: [`[ERROR] invalid value for field: ${name}`] },
  };
}

/** The conversation named by `args[name]`, or Slack's `channel_not_found`. */
export function knownChannel(
  context: MethodContext,
  args: Args,
  name = 'channel',
): FakeChannel | Rejection {
  const id = stringArg(args, name);
  const channel = id === undefined ? undefined : context.workspace.channels.get(id);
  return channel ?? { error: 'channel_not_found' };
}

/** The bot is in its DMs, and in any other conversation unless it was configured out. */
export function isBotIn(channel: FakeChannel): boolean {
  return channel.id.startsWith('D') || channel.isMember !== false;
}

/**
 * The conversation named by `args[name]`, which the bot must be in: Slack answers
 * `not_in_channel` for a public channel it has not joined, and `channel_not_found` for a private
 * one, which the bot cannot even see.
 */
export function memberChannel(
  context: MethodContext,
  args: Args,
  name = 'channel',
): FakeChannel | Rejection {
  const channel = knownChannel(context, args, name);
  if ('error' in channel || isBotIn(channel)) return channel;
  return { error: channel.id.startsWith('C') ? 'not_in_channel' : 'channel_not_found' };
}

/** The root ts of the thread `threadTs` belongs to; a reply's ts resolves to its root, as Slack does. */
export function threadRoot(
  context: MethodContext,
  channel: string,
  threadTs: string,
): string | Rejection {
  const parent = context.workspace.find(channel, threadTs);
  if (parent === undefined) return { error: 'thread_not_found' };
  return parent.threadTs ?? parent.ts;
}

/** A new message from the bot, with the authorship overrides chat:write.customize allows. */
export function botMessage(
  context: MethodContext,
  fields: {
    channel: string;
    threadTs: string | undefined;
    text: string;
    blocks: unknown[] | undefined;
  },
  args: Args,
): MessageRecord {
  return newRecord({
    ...fields,
    ts: context.workspace.mintTs(),
    user: context.workspace.identity.botUserId,
    isBot: true,
    username: stringArg(args, 'username'),
    iconUrl: stringArg(args, 'icon_url'),
    iconEmoji: stringArg(args, 'icon_emoji'),
  });
}
