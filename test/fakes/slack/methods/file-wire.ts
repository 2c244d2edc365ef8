/** File objects in Slack's wire shape, as events, messages and `files.*` carry them. */
import { FILES_PATH, type FileRecord } from '../file-store.js';
import type { Workspace } from '../workspace.js';

/** `url_private`, and with `download` the `url_private_download` that asks for an attachment. */
export function privateUrl(workspace: Workspace, file: FileRecord, download = false): string {
  const { teamId } = workspace.identity;
  const name = encodeURIComponent(file.name);
  return `${workspace.files.origin}${FILES_PATH}${teamId}-${file.id}/${download ? 'download/' : ''}${name}`;
}

function isPrivateConversation(channel: string): boolean {
  return !channel.startsWith('C');
}

/** `shares` as files.info lists them: by visibility, then channel, each share with its message ts. */
function sharesOf(file: FileRecord, workspace: Workspace): Record<string, unknown> {
  const { share } = file;
  if (share === undefined) return {};
  const entry = {
    ts: share.ts,
    ...(share.threadTs === undefined ? {} : { thread_ts: share.threadTs }),
    channel_name: workspace.channels.get(share.channel)?.name ?? share.channel.toLowerCase(),
    team_id: workspace.identity.teamId,
    share_user_id: file.user,
  };
  const visibility = isPrivateConversation(share.channel) ? 'private' : 'public';
  return { [visibility]: { [share.channel]: [entry] } };
}

/** Where the file is shared, in files.info's `channels` / `groups` / `ims` split. */
function conversationsOf(file: FileRecord): Record<string, string[]> {
  const channel = file.share?.channel;
  const of = (prefix: string) => (channel?.startsWith(prefix) ? [channel] : []);
  return { channels: of('C'), groups: of('G'), ims: of('D') };
}

/**
 * A file object. `withShares` adds where it is shared, as files.info does. Events and messages
 * leave that out, and so does completeUploadExternal (Slack documents only `id` and `title`
 * there): an app that needs the share's ts asks files.info.
 */
export function toSlackFile(
  file: FileRecord,
  workspace: Workspace,
  withShares = false,
): Record<string, unknown> {
  const { teamId, teamDomain } = workspace.identity;
  const name = encodeURIComponent(file.name);
  const isPublic = file.share !== undefined && !isPrivateConversation(file.share.channel);
  return {
    id: file.id,
    created: file.created,
    timestamp: file.created,
    name: file.name,
    title: file.title,
    mimetype: file.kind.mimetype,
    filetype: file.kind.filetype,
    pretty_type: file.kind.prettyType,
    user: file.user,
    user_team: teamId,
    editable: file.mode === 'snippet',
    size: file.bytes?.length ?? file.declaredLength,
    mode: file.mode,
    is_external: false,
    external_type: '',
    is_public: isPublic,
    public_url_shared: false,
    display_as_bot: false,
    username: '',
    ...(file.altText === undefined ? {} : { alt_txt: file.altText }),
    url_private: privateUrl(workspace, file),
    url_private_download: privateUrl(workspace, file, true),
    permalink: `https://${teamDomain}.slack.com/files/${file.user}/${file.id}/${name}`,
    permalink_public: `https://slack-files.com/${teamId}-${file.id}-${file.id.slice(1, 7).toLowerCase()}`,
    has_rich_preview: false,
    file_access: 'visible',
    ...(withShares ? { ...conversationsOf(file), shares: sharesOf(file, workspace) } : {}),
  };
}
