/** Messages in Slack's wire shape, as conversations.replies and chat.* return them. */
import type { MessageRecord, Workspace } from '../workspace.js';
import { toSlackFile } from './file-wire.js';

function icons(record: MessageRecord): Record<string, string> | undefined {
  if (record.iconEmoji !== undefined) return { emoji: record.iconEmoji };
  if (record.iconUrl !== undefined) return { image_48: record.iconUrl };
  return undefined;
}

function threadFields(record: MessageRecord, workspace: Workspace): Record<string, unknown> {
  if (record.threadTs !== undefined) return { thread_ts: record.threadTs };
  const replies = workspace.thread(record.channel, record.ts).slice(1);
  const latest = replies.at(-1);
  if (latest === undefined) return {};
  return {
    thread_ts: record.ts,
    reply_count: replies.length,
    reply_users: [...new Set(replies.map((reply) => reply.user))],
    latest_reply: latest.ts,
  };
}

function reactionsOf(record: MessageRecord, workspace: Workspace): unknown[] | undefined {
  if (record.reactions.length === 0) return undefined;
  const users = [workspace.identity.botUserId];
  return record.reactions.map((name) => ({ name, users, count: 1 }));
}

/** `files` and `upload` of a message that carries files; nothing for one that doesn't. */
function fileFields(record: MessageRecord, workspace: Workspace): Record<string, unknown> {
  const files = record.files.flatMap((id) => {
    const file = workspace.files.get(id);
    return file === undefined ? [] : [toSlackFile(file, workspace)];
  });
  return files.length === 0 ? {} : { files, upload: true, display_as_bot: false };
}

/** Omits undefined fields, as Slack's JSON does. */
function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

export function toSlackMessage(
  record: MessageRecord,
  workspace: Workspace,
): Record<string, unknown> {
  const { botId, botUserId, appId, teamId } = workspace.identity;
  return compact({
    type: 'message',
    ts: record.ts,
    user: record.user,
    text: record.text,
    blocks: record.blocks,
    team: teamId,
    bot_id: record.isBot && record.user === botUserId ? botId : undefined,
    app_id: record.isBot && record.user === botUserId ? appId : undefined,
    username: record.username,
    icons: icons(record),
    edited: record.edits > 0 ? { user: record.user, ts: record.ts } : undefined,
    reactions: reactionsOf(record, workspace),
    ...fileFields(record, workspace),
    ...threadFields(record, workspace),
  });
}
