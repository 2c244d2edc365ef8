/** Files people attach: stored as Slack stores them, and the event Slack sends for the message. */
import { randomUUID } from 'node:crypto';
import { kindWithMimetype } from './file-types.js';
import { toSlackFile } from './methods/file-wire.js';
import { channelType } from './setup.js';
import type { UserFileInput, UserFileShareInput } from './types.js';
import type { MessageRecord, Workspace } from './workspace.js';

function storeFile(workspace: Workspace, user: string, input: UserFileInput, created: number) {
  const bytes = Buffer.from(input.bytes);
  const fields = {
    name: input.name,
    title: input.title ?? input.name,
    kind: kindWithMimetype(input.name, input.mimetype),
    mode: 'hosted' as const,
    declaredLength: bytes.length,
    user,
    created,
    altText: undefined,
  };
  return workspace.files.addUserFile(fields, bytes);
}

/**
 * The event for a person's message with files, with a fresh ts; the files are stored at once, as
 * Slack holds them before it tells the app. Without `mention` it is the `message` event with
 * subtype `file_share`; with it, the `app_mention` event, which carries `files` too.
 */
export function fileShareEvent(
  workspace: Workspace,
  input: UserFileShareInput,
): Record<string, unknown> {
  const ts = workspace.mintTs();
  const created = Math.floor(Number(ts));
  const files = input.files.map((file) => storeFile(workspace, input.user, file, created));
  const isMention = input.mention === true;
  return {
    type: isMention ? 'app_mention' : 'message',
    ...(isMention ? {} : { subtype: 'file_share' }),
    text: input.text ?? '',
    files: files.map((file) => toSlackFile(file, workspace)),
    upload: true,
    user: input.user,
    display_as_bot: false,
    ts,
    client_msg_id: randomUUID(),
    team: workspace.identity.teamId,
    channel: input.channel,
    event_ts: ts,
    ...(isMention ? {} : { channel_type: channelType(input.channel) }),
    ...(input.threadTs === undefined ? {} : { thread_ts: input.threadTs }),
  };
}

/** The ids of the stored files an event carries. */
export function eventFileIds(workspace: Workspace, event: Record<string, unknown>): string[] {
  const { files } = event;
  if (!Array.isArray(files)) return [];
  return files.flatMap((file: unknown) => {
    const id = (file as { id?: unknown } | null)?.id;
    return typeof id === 'string' && workspace.files.get(id) !== undefined ? [id] : [];
  });
}

/** Records where a delivered message shared its files (a file is shared once, by the first message). */
export function noteFileShares(workspace: Workspace, record: MessageRecord): void {
  for (const id of record.files) {
    const file = workspace.files.get(id);
    if (file === undefined || file.share !== undefined) continue;
    file.share = { channel: record.channel, ts: record.ts, threadTs: record.threadTs };
  }
}
