import { type ReplyPart, replyWithHandoffs } from '../../src/core/handoff-sink.js';
import { createLiveReply, type LiveReply } from '../../src/core/live-reply.js';
import type { OutgoingFile, Persona, ReplySink } from '../../src/core/model.js';
import {
  type Acknowledgement,
  bestEffort,
  intentsAhead,
  journaledTransport,
  type ReplyJournal,
  type SinkContext,
} from '../../src/core/replies.js';
import type { Logger } from '../../src/log/logger.js';
import { callSlack, slackErrorCode, type WebClient } from './slack-calls.js';
import { type AssistantStatus, statusOf, THINKING_STATUS } from './slack-status.js';
import { markdownToMrkdwn } from './slack-text.js';
import { createStreamWriter, type StreamCalls, type StreamWriter } from './stream-writer.js';

/** Where one reply goes in Slack. */
export interface SlackReplyTarget {
  readonly channel: string;
  readonly threadTs: string;
  /** The person being answered: chat streaming outside DMs is addressed to them. */
  readonly teamId: string;
  readonly userId: string;
  readonly persona?: Persona;
}

export interface SlackReplyDeps {
  readonly client: WebClient;
  readonly logger: Logger;
  /** Off when the workspace refused chat streaming once; shared by every reply of the adapter. */
  readonly streaming: { isEnabled: boolean };
  readonly status: AssistantStatus;
}

// Markdown per posted message: a section's text stops at 3,000 characters and mrkdwn can grow
// a little (links, escapes), so the split leaves room.
export const SLACK_MESSAGE_MAX_CHARS = 2_800;
// chat.appendStream takes at most 12,000 characters; one streamed message stays under that.
export const SLACK_STREAM_MESSAGE_MAX_CHARS = 11_000;
// chat.update is Tier 3 (~50 per minute): about one edit a second per reply.
const EDIT_INTERVAL_MS = 1_000;
// A streamed answer grows about once a second too: twice as often read no better and cost a
// Web API call (and its CPU) each time; a 2 s answer takes two appends (the load bench).
const STREAM_INTERVAL_MS = 1_000;
// Slack takes files up to 1 GB; an agent's file past 100 MB is not worth a thread's scroll.
const SLACK_FILE_MAX_BYTES = 100 * 1024 * 1024;
const PLACEHOLDER_TEXT = '_Thinking…_';
// Errors meaning this workspace or token cannot stream at all (not a passing failure).
const STREAMING_UNSUPPORTED = new Set([
  'unknown_method',
  'not_allowed_token_type',
  'missing_scope',
  'not_authorized',
]);

/**
 * A reply in a Slack thread. Where the assistant status can be shown (AI app threads) the
 * answer streams with chat streaming; elsewhere a placeholder is posted and edited as the
 * answer grows, split across messages when long. Personas post under their own name and icon.
 */
export function createSlackReplySink(
  deps: SlackReplyDeps,
  target: SlackReplyTarget,
  context: SinkContext = {},
): ReplySink {
  // A handed-over part gets its own journaled messages only (each part ends the streams its dead
  // attempt left open), and ingress's acknowledgement was the first part's.
  return replyWithHandoffs(target, context, (part, partContext) =>
    createSlackReplyPart(deps, part, partContext),
  );
}

/** One agent's part of a reply in a Slack thread. */
function createSlackReplyPart(
  deps: SlackReplyDeps,
  target: SlackReplyTarget,
  context: SinkContext = {},
): ReplyPart {
  const { journal } = context;
  const log = deps.logger.child({ component: 'slack-reply', channel: target.channel });
  const live = createLiveReply(journaledTransport(postingTransport(deps.client, target), journal), {
    maxChars: SLACK_MESSAGE_MAX_CHARS,
    minEditIntervalMs: EDIT_INTERVAL_MS,
    render: markdownToMrkdwn,
  });
  let stream: StreamWriter | undefined;
  let text = '';

  async function fallBackToEdits(error: unknown): Promise<LiveReply> {
    const code = slackErrorCode(error);
    if (code !== undefined && STREAMING_UNSUPPORTED.has(code)) deps.streaming.isEnabled = false;
    log.warn('chat streaming refused, editing instead', { code });
    stream = undefined;
    live.append(text);
    return live;
  }

  return {
    async start() {
      // Messages posted already (a placeholder from ingress, or a dead attempt's) are edited:
      // streams cannot be reopened, and a dead attempt may have left one open.
      const earlier = journal?.posted ?? [];
      if (context.isRetry === true && earlier.length > 0)
        await endOpenStreams(deps.client, target.channel, earlier);
      if (earlier.length > 0) return;
      const hasStatus =
        context.acknowledged?.kind === 'status' ||
        (target.persona === undefined && (await deps.status.set(target, THINKING_STATUS)));
      if (hasStatus && deps.streaming.isEnabled)
        stream = createStreamWriter(journaledStream(streamCalls(deps.client, target), journal), {
          maxMessageChars: SLACK_STREAM_MESSAGE_MAX_CHARS,
          intervalMs: STREAM_INTERVAL_MS,
        });
      else await live.placeholder(PLACEHOLDER_TEXT);
    },
    async append(delta) {
      text += delta;
      if (stream === undefined) return live.append(delta);
      stream.append(delta);
    },
    async activity(label) {
      if (stream === undefined) return live.status(label);
      // Streaming happens in AI app threads, where the assistant status says what runs. Once a
      // tool is done the agent still works: until its first words show, the person is told so.
      const status = label !== undefined ? statusOf(label) : text === '' ? THINKING_STATUS : '';
      await deps.status.set(target, status);
    },
    async attach(file) {
      await uploadFile(deps.client, target, file);
    },
    async finish() {
      if (stream === undefined) return live.finish();
      try {
        await stream.finish();
      } catch (error) {
        if (stream.hasStarted) throw error;
        await (await fallBackToEdits(error)).finish();
      }
    },
    async fail(notice) {
      const shown = markdownToMrkdwn(notice);
      if (stream !== undefined && (await stream.fail(notice).catch(() => false))) return;
      if (stream !== undefined && !live.hasPosted)
        return void (await postNotice(deps.client, target, shown));
      await live.fail(shown);
    },
  };
}

/**
 * A worker that died mid-stream left its message streaming; end it so it can be edited like any
 * other. A message that was not streaming refuses, which is fine.
 */
async function endOpenStreams(
  client: WebClient,
  channel: string,
  posted: readonly string[],
): Promise<void> {
  await Promise.all(
    posted.map((ts) => client.chat.stopStream({ channel, ts }).catch(() => undefined)),
  );
}

/** Records each streamed message in the journal, so a retry edits them. */
function journaledStream(calls: StreamCalls, journal: ReplyJournal | undefined): StreamCalls {
  if (journal === undefined) return calls;
  const intend = intentsAhead(journal);
  let index = 0;
  return {
    ...calls,
    start: async (markdown) => {
      await intend(index);
      const ts = await calls.start(markdown);
      await bestEffort(journal.record(index, ts));
      index += 1;
      return ts;
    },
  };
}

/**
 * The sign of life ingress shows before the message waits for a worker: the assistant status
 * where Slack shows it, else the placeholder the reply will edit. Never throws. In a channel
 * where the status showed last time it is set without waiting for Slack, so the message is
 * queued a round trip sooner (should it fail after all, the answer itself is the sign of life).
 */
export async function acknowledgeInSlack(
  client: WebClient,
  status: AssistantStatus,
  target: SlackReplyTarget,
): Promise<Acknowledgement> {
  const showing = status.set(target, THINKING_STATUS);
  if (status.isKnownToShow(target.channel) || (await showing)) return { kind: 'status' };
  try {
    return { kind: 'placeholder', messageId: await postNotice(client, target, PLACEHOLDER_TEXT) };
  } catch {
    return { kind: 'none' };
  }
}

/**
 * Uploads a file into the thread the way Slack wants it now: an upload URL, the bytes, then
 * completing the upload into the channel and thread (`filesUploadV2` makes the three calls).
 */
async function uploadFile(
  client: WebClient,
  target: SlackReplyTarget,
  file: OutgoingFile,
): Promise<void> {
  if (file.bytes.byteLength > SLACK_FILE_MAX_BYTES)
    throw new RangeError('file too large for Slack');
  await callSlack(() =>
    client.filesUploadV2({
      channel_id: target.channel,
      thread_ts: target.threadTs,
      file: Buffer.from(file.bytes),
      filename: file.name,
      title: file.title ?? file.name,
    }),
  );
}

function personaFields(persona: Persona | undefined): { username?: string; icon_url?: string } {
  if (persona === undefined) return {};
  return {
    username: persona.name,
    ...(persona.avatarUrl === undefined ? {} : { icon_url: persona.avatarUrl }),
  };
}

function postingTransport(client: WebClient, target: SlackReplyTarget) {
  return {
    post: async (text: string): Promise<string> => {
      const result = await callSlack(() =>
        client.chat.postMessage({
          channel: target.channel,
          thread_ts: target.threadTs,
          text,
          unfurl_links: false,
          ...personaFields(target.persona),
        }),
      );
      if (typeof result.ts !== 'string') throw new Error('chat.postMessage returned no ts');
      return result.ts;
    },
    edit: async (ts: string, text: string): Promise<void> => {
      await callSlack(() => client.chat.update({ channel: target.channel, ts, text }));
    },
  };
}

function postNotice(client: WebClient, target: SlackReplyTarget, text: string): Promise<string> {
  return postingTransport(client, target).post(text);
}

function streamCalls(client: WebClient, target: SlackReplyTarget) {
  const isDm = target.channel.startsWith('D');
  const recipient = isDm
    ? {}
    : { recipient_team_id: target.teamId, recipient_user_id: target.userId };
  return {
    start: async (markdown: string): Promise<string> => {
      const result = await callSlack(() =>
        client.chat.startStream({
          channel: target.channel,
          thread_ts: target.threadTs,
          markdown_text: markdown,
          ...recipient,
        }),
      );
      if (typeof result.ts !== 'string') throw new Error('chat.startStream returned no ts');
      return result.ts;
    },
    append: async (ts: string, markdown: string): Promise<void> => {
      await callSlack(() =>
        client.chat.appendStream({ channel: target.channel, ts, markdown_text: markdown }),
      );
    },
    stop: async (ts: string, markdown?: string): Promise<void> => {
      const final = markdown === undefined ? {} : { markdown_text: markdown };
      await callSlack(() => client.chat.stopStream({ channel: target.channel, ts, ...final }));
    },
  };
}
