import { webApi } from '@slack/bolt';
import type { SlackConfig } from '../../src/config/config.js';
import { fetchFile } from '../../src/core/fetch-file.js';
import type { Persona } from '../../src/core/model.js';
import { FILE_LIMITS } from '../../src/core/prepare-files.js';
import type { ReplyPort, ReplyTarget } from '../../src/core/replies.js';
import { ParleyError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';
import { callSlack, type WebClient } from './slack-calls.js';
import { loadThreadContext } from './slack-context.js';
import { createUserDirectory, type UserDirectory } from './slack-directory.js';
import { acknowledgeInSlack, createSlackReplySink, type SlackReplyTarget } from './slack-reply.js';
import { createAssistantStatus } from './slack-status.js';

// A Web API call that takes longer is failed rather than left hanging a reply.
const SLACK_CALL_TIMEOUT_MS = 15_000;

/** Who Parley is in the workspace (`auth.test`). */
export interface BotIdentity {
  readonly userId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly name: string;
}

/** Options every Parley WebClient shares. */
export function slackClientOptions(config: SlackConfig) {
  return {
    ...(config.apiUrl === undefined ? {} : { slackApiUrl: config.apiUrl }),
    // Parley retries 429s itself and nothing else (see callSlack): a write that failed
    // otherwise may have been posted, and a blind retry would post it twice.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: SLACK_CALL_TIMEOUT_MS,
  };
}

/** A Slack reply target: the thread, the person answered (for streaming), and a persona. */
export function slackTarget(
  place: { channel: string; threadTs: string; teamId: string; userId: string },
  persona?: Persona,
): ReplyTarget {
  const address: Record<string, string> = { ...place };
  if (persona !== undefined) address.personaName = persona.name;
  if (persona?.avatarUrl !== undefined) address.personaAvatar = persona.avatarUrl;
  return { platform: 'slack', address };
}

export interface SlackReplyPort extends ReplyPort {
  readonly client: WebClient;
  readonly directory: UserDirectory;
  identity(): Promise<BotIdentity>;
}

/** Replies and thread reading over Slack's Web API: works in any process, with or without events. */
export function createSlackReplyPort(
  config: SlackConfig,
  logger: Logger,
  client?: WebClient,
): SlackReplyPort {
  const web = client ?? new webApi.WebClient(config.botToken, slackClientOptions(config));
  const directory = createUserDirectory(web, logger);
  const streaming = { isEnabled: true };
  const status = createAssistantStatus(web);
  let identity: Promise<BotIdentity> | undefined;
  const identify = (): Promise<BotIdentity> => {
    identity ??= callSlack(() => web.auth.test()).then((auth) => ({
      userId: auth.user_id ?? '',
      botId: auth.bot_id ?? '',
      teamId: auth.team_id ?? '',
      name: auth.user ?? 'Parley',
    }));
    identity.catch(() => {
      identity = undefined;
    });
    return identity;
  };
  return {
    platform: 'slack',
    client: web,
    directory,
    identity: identify,
    sink(target, context) {
      return createSlackReplySink(
        { client: web, logger, streaming, status },
        placeOf(target),
        context,
      );
    },
    acknowledge: (target) => acknowledgeInSlack(web, status, placeOf(target)),
    async readFile(_target, attachment, signal) {
      // The file's private URL is asked for when needed and read with the bot's token only.
      const info = await callSlack(() => web.files.info({ file: attachment.ref }));
      const url = info.file?.url_private_download ?? info.file?.url_private;
      if (url === undefined) throw new ParleyError('PLATFORM_UNAVAILABLE', 'the file has no URL');
      return fetchFile(url, attachment.name, {
        headers: { authorization: `Bearer ${config.botToken}` },
        maxBytes: FILE_LIMITS.maxBytes,
        refuseHtml: true,
        ...(signal === undefined ? {} : { signal }),
      });
    },
    targetFor(thread, persona) {
      return slackTarget(
        { channel: thread.channel, threadTs: thread.thread, teamId: thread.workspace, userId: '' },
        persona,
      );
    },
    async say(target, text) {
      const { channel = '', threadTs = '' } = target.address;
      await callSlack(() => web.chat.postMessage({ channel, thread_ts: threadTs, text }));
    },
    async postedAfter(target, afterTs) {
      const { channel = '', threadTs = '' } = target.address;
      const bot = await identify();
      const page = await callSlack(() =>
        web.conversations.replies({ channel, ts: threadTs, oldest: afterTs, limit: 200 }),
      );
      return (page.messages ?? [])
        .filter(
          (message) =>
            message.user === bot.userId ||
            (message.bot_id !== undefined && message.bot_id === bot.botId),
        )
        .map((message) => message.ts ?? '')
        .filter((ts) => ts !== '' && compareTs(ts, afterTs) > 0)
        .sort(compareTs);
    },
    async context(target) {
      const { channel = '', threadTs = '' } = target.address;
      const bot = await identify();
      return loadThreadContext(
        { client: web, logger, nameOf: directory.nameOf, bot },
        channel,
        threadTs,
      );
    },
  };
}

function placeOf(target: ReplyTarget): SlackReplyTarget {
  const {
    channel = '',
    threadTs = '',
    teamId = '',
    userId = '',
    personaName,
    personaAvatar,
  } = target.address;
  const persona =
    personaName === undefined
      ? undefined
      : { name: personaName, ...(personaAvatar === undefined ? {} : { avatarUrl: personaAvatar }) };
  return { channel, threadTs, teamId, userId, ...(persona === undefined ? {} : { persona }) };
}

/** Orders Slack timestamps ("seconds.micro") exactly; as floats they lose the last digits. */
function compareTs(a: string, b: string): number {
  const [secondsA = '', microA = ''] = a.split('.');
  const [secondsB = '', microB = ''] = b.split('.');
  return (
    Number(secondsA) - Number(secondsB) ||
    Number(microA.padEnd(6, '0')) - Number(microB.padEnd(6, '0'))
  );
}
