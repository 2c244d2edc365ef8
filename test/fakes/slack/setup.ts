/** The fake workspace's starting state, and the events and messages tests build in it. */
import { randomUUID } from 'node:crypto';
import { toSlackMessage } from './methods/wire.js';
import type { FakeChannel, FakeSlackOptions, FakeUser } from './types.js';
import { type Identity, newRecord, type Workspace } from './workspace.js';

/** People in the default workspace, besides the bot. */
export const DEFAULT_USERS: readonly FakeUser[] = [
  { id: 'U0ALICE', name: 'alice', realName: 'Alice Martin', displayName: 'Alice' },
  { id: 'U0BOB', name: 'bob', realName: 'Bob Leroy', displayName: 'Bob' },
];

/** Conversations in the default workspace: a public channel and Alice's DM with the bot. */
export const DEFAULT_CHANNELS: readonly FakeChannel[] = [
  { id: 'C0GENERAL', name: 'general' },
  { id: 'D0ALICE', user: 'U0ALICE' },
];

/** A person's message in a conversation (top level, or in the thread `threadTs`). */
export interface UserMessageInput {
  readonly channel: string;
  readonly user: string;
  readonly text: string;
  readonly threadTs?: string;
  /** Build an `app_mention` event instead of a `message` event. */
  readonly mention?: boolean;
}

/** A message already in the workspace before the test acts: `ts` is minted when left out. */
export interface SeedMessageInput extends UserMessageInput {
  readonly ts?: string;
  readonly isBot?: boolean;
}

export function identityFrom(options: FakeSlackOptions): Identity {
  return {
    teamId: options.teamId ?? 'T0TEST',
    teamDomain: options.teamDomain ?? 'parley-test',
    botUserId: options.botUserId ?? 'U0BOT',
    botId: options.botId ?? 'B0BOT',
    botName: options.botName ?? 'parley',
    appId: options.appId ?? 'A0PARLEY',
  };
}

/** Puts the bot user and the configured people and channels in the workspace. */
export function seedWorkspace(workspace: Workspace, options: FakeSlackOptions): void {
  const { botUserId, botName } = workspace.identity;
  workspace.users.set(botUserId, { id: botUserId, name: botName, isBot: true });
  for (const user of options.users ?? DEFAULT_USERS) workspace.users.set(user.id, user);
  for (const channel of options.channels ?? DEFAULT_CHANNELS) workspace.ensureChannel(channel);
  workspace.changed();
}

export function seedMessage(workspace: Workspace, input: SeedMessageInput): string {
  const ts = input.ts ?? workspace.mintTs();
  workspace.ensureChannel({ id: input.channel });
  const { channel, user, text, threadTs } = input;
  const isBot = input.isBot ?? false;
  workspace.insert(newRecord({ channel, ts, threadTs, text, user, isBot, blocks: undefined }));
  return ts;
}

/** The `channel_type` Slack puts on message events. */
export function channelType(channel: string): string {
  if (channel.startsWith('D')) return 'im';
  return channel.startsWith('G') ? 'group' : 'channel';
}

/** The Events API event Slack sends for a person's message, with a fresh ts. */
export function userMessageEvent(
  workspace: Workspace,
  input: UserMessageInput,
): Record<string, unknown> {
  const ts = workspace.mintTs();
  const isMention = input.mention === true;
  return {
    type: isMention ? 'app_mention' : 'message',
    client_msg_id: randomUUID(),
    user: input.user,
    text: input.text,
    ts,
    team: workspace.identity.teamId,
    channel: input.channel,
    event_ts: ts,
    ...(isMention ? {} : { channel_type: channelType(input.channel) }),
    ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs }),
  };
}

/** The `message` event Slack sends for a message already posted, e.g. the bot's own echo. */
export function echoEvent(
  workspace: Workspace,
  channel: string,
  ts: string,
): Record<string, unknown> | undefined {
  const record = workspace.find(channel, ts);
  if (record === undefined) return undefined;
  const message = toSlackMessage(record, workspace);
  const subtype = record.files.length > 0 ? { subtype: 'file_share' } : {};
  return { ...message, ...subtype, channel, event_ts: ts, channel_type: channelType(channel) };
}

/** Resolves once `predicate` holds, re-checked whenever the workspace changes. */
export function waitForChange(
  workspace: Workspace,
  predicate: () => boolean,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let off = (): void => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`fake Slack: condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const check = (): void => {
      let settled = true;
      try {
        settled = predicate();
        if (settled) resolve();
      } catch (error) {
        reject(error);
      }
      if (!settled) return;
      clearTimeout(timer);
      off();
    };
    off = workspace.onChange(check);
    check();
  });
}
