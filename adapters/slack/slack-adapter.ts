import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { Access } from '../../src/access/access.js';
import type { SlackConfig } from '../../src/config/config.js';
import { setBounded } from '../../src/core/bounded-map.js';
import type { ConversationCommands } from '../../src/core/commands.js';
import { type Persona, type ReplySink, type ThreadRef, threadKey } from '../../src/core/model.js';
import { isPartOf, join } from '../../src/core/participation.js';
import type { Inbox, ReplyPort, WireMessage } from '../../src/core/replies.js';
import { isResetWord, resetFromMessage } from '../../src/core/reset-word.js';
import type { PlatformHealth, PlatformStatus } from '../../src/http/health.js';
import type { HttpServer } from '../../src/http/http-server.js';
import type { Logger } from '../../src/log/logger.js';
import type { RoleplaySetup } from '../../src/roleplay/roleplay-engine.js';
import type { ConversationStore } from '../../src/store/store.js';
import { guardSlackRequests } from './request-guard.js';
import { createSlackAccess, slackDeliveryKey, slackThreadOf } from './slack-access.js';
import { callSlack, slackErrorCode, type WebClient } from './slack-calls.js';
import { parseParleyCommand, runParleyCommand } from './slack-commands.js';
import { routeSlackEvent, type SlackMessageEvent } from './slack-events.js';
import {
  type BotIdentity,
  createSlackReplyPort,
  slackClientOptions,
  slackTarget,
} from './slack-port.js';
import { registerSlackRoleplay } from './slack-roleplay.js';
import { slackTextToMarkdown } from './slack-text.js';

export interface SlackAdapterDeps {
  /** Where each person's message goes: answered in this process, or queued for a worker. */
  readonly inbox: Inbox;
  readonly commands: ConversationCommands;
  readonly store: ConversationStore;
  /** Who may use Parley here, and how much: checked before anything is stored. */
  readonly access: Access;
  readonly logger: Logger;
  /** The shared HTTP server; `POST /slack/events` is mounted on it (HTTP mode). */
  readonly http: HttpServer;
  /** `/roleplay`, when the core has a role-play engine. */
  readonly roleplay?: RoleplaySetup;
  /**
   * Acknowledge Slack only once the message is safely queued (scaled out): while the queue is
   * unreachable Slack gets an error and redelivers later, so nothing is lost.
   */
  readonly ackAfterSubmit?: boolean;
}

export interface SlackAdapter extends PlatformHealth {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A reply in a thread under a persona's name and icon (role-play; needs `chat:write.customize`). */
  personaSink(channel: string, threadTs: string, persona: Persona): ReplySink;
  /** Posting replies over the Web API: what a worker needs. */
  readonly port: ReplyPort;
}

export const SLACK_EVENTS_PATH = '/slack/events';
// Threads remembered as a person's (see personThreads); past this the oldest is forgotten.
const MOST_PERSON_THREADS = 50_000;
const ROLEPLAY_NOT_YET =
  'Role-play is not available in this version of Parley yet: your command was received, but no dialogue was started.';
/** Slack through Bolt: events and commands in, streamed replies out. */
export function createSlackAdapter(config: SlackConfig, deps: SlackAdapterDeps): SlackAdapter {
  const log = deps.logger.child({ platform: 'slack' });
  const isSocketMode = config.appToken !== undefined;
  const clientOptions = slackClientOptions(config);

  // The Socket Mode receiver is built here rather than by Bolt so that stop() can wait for the
  // socket to close: Bolt's stop() resolves before the WebSocket close handshake has finished.
  const receiver: HTTPReceiver | SocketModeReceiver = isSocketMode
    ? new SocketModeReceiver({
        appToken: config.appToken ?? '',
        logLevel: LogLevel.ERROR,
        installerOptions: { clientOptions },
      })
    : new HTTPReceiver({
        signingSecret: config.signingSecret ?? '',
        endpoints: SLACK_EVENTS_PATH,
        logLevel: LogLevel.ERROR,
        processBeforeResponse: deps.ackAfterSubmit === true,
      });
  const app = new App({
    token: config.botToken,
    clientOptions,
    deferInitialization: true,
    logLevel: LogLevel.ERROR,
    receiver,
  });
  let status: PlatformStatus = { state: 'connecting' };
  let bot: BotIdentity | undefined;
  const port = createSlackReplyPort(config, log, app.client);
  const directory = port.directory;
  const gate = createSlackAccess(deps.access, app.client, log);
  // Threads rooted at a person's message. A role-play runs in the thread of Parley's own
  // announcement, so these never hold one, and a message in them needs no play looked up.
  const personThreads = new Map<string, true>();

  async function toIncoming(
    event: SlackMessageEvent,
    self: BotIdentity,
    isShared: boolean,
  ): Promise<WireMessage> {
    const team = event.team ?? self.teamId;
    const thread = slackThreadOf(event, team);
    const text = await slackTextToMarkdown(event.text, self.userId, directory.nameOf);
    const author = { id: event.user, name: await directory.nameOf(event.user), isBot: false };
    return {
      thread,
      deliveryKey: slackDeliveryKey(team, event),
      isShared,
      message: {
        id: event.ts,
        role: 'user',
        author,
        text,
        attachments: event.files,
        at: tsToMs(event.ts),
      },
    };
  }

  async function onMessageEvent(raw: unknown): Promise<void> {
    const self = bot;
    if (self === undefined) return;
    const route = routeSlackEvent(raw, self.userId);
    if (route.kind === 'ignored') return;
    const { event } = route;
    if (await gate.refuses(event, route, self.teamId, (thread) => isPartOf(deps.store, thread)))
      return;
    const isDm = event.channelType === 'im';
    const incoming = await toIncoming(event, self, !isDm);
    const key = threadKey(incoming.thread);
    if (event.threadTs === undefined) setBounded(personThreads, key, true, MOST_PERSON_THREADS);
    // In a role-play thread a person's message is heard by the next speaker, not answered.
    if (
      event.threadTs !== undefined &&
      !personThreads.has(key) &&
      (await deps.roleplay?.engine.interject(incoming.thread, incoming.message))
    )
      return;
    if (route.kind === 'thread-reply' && !(await isPartOf(deps.store, incoming.thread))) return;
    const isReset = isResetWord(incoming.message.text);
    if (!isReset && !(await gate.isWithinLimit(event, incoming))) return;
    const joins = route.kind === 'answer' && route.trigger === 'mention';
    if (isReset) {
      if (joins) await join(deps.store, incoming.thread);
      return resetByWord(incoming);
    }
    const place = {
      channel: event.channel,
      threadTs: incoming.thread.thread,
      teamId: incoming.thread.workspace,
      userId: event.user,
    };
    await deps.inbox.submit({
      incoming,
      target: slackTarget(place),
      withContext: incoming.thread.thread !== event.ts,
      joins,
    });
  }

  async function resetByWord(incoming: WireMessage): Promise<void> {
    await resetFromMessage(deps.store, deps.commands, incoming, async (text) => {
      await callSlack(() =>
        app.client.chat.postMessage({
          channel: incoming.thread.channel,
          thread_ts: incoming.thread.thread,
          text,
        }),
      );
    });
  }

  function personaSink(channel: string, threadTs: string, persona: Persona): ReplySink {
    const place = { channel, threadTs, teamId: bot?.teamId ?? '', userId: bot?.userId ?? '' };
    return port.sink(slackTarget(place, persona));
  }

  const handleEvent = async ({ event }: { event: unknown }): Promise<void> => {
    try {
      await onMessageEvent(event);
    } catch (error) {
      log.error('slack event failed', { error });
      // Not acknowledged: Slack delivers the event again later.
      if (deps.ackAfterSubmit === true) throw new NotQueued(error);
    }
  };
  app.event('app_mention', handleEvent);
  app.event('message', handleEvent);

  app.command('/parley', async ({ command, ack, respond }) => {
    await ack();
    const refusal = gate.commandRefusal(command);
    if (refusal !== undefined) {
      await respond({ response_type: 'ephemeral', text: refusal }).catch(() => undefined);
      return;
    }
    const self = bot;
    const team = command.team_id || self?.teamId || '';
    const channelThread: ThreadRef = {
      platform: 'slack',
      workspace: team,
      channel: command.channel_id,
      thread: '',
    };
    const threadTs = typeof command.thread_ts === 'string' ? command.thread_ts : undefined;
    const thread = threadTs === undefined ? undefined : { ...channelThread, thread: threadTs };
    const reply = await runParleyCommand(
      parseParleyCommand(command.text),
      deps.commands,
      channelThread,
      thread,
      () => gate.chooser(command),
    ).catch((error: unknown) => {
      log.warn('slack command failed', { error });
      return {
        ok: false,
        text: 'That did not work: my storage or the agent is unreachable. Please try again.',
        isPublic: false,
      };
    });
    const text = reply.isPublic ? `<@${command.user_id}>: ${reply.text}` : reply.text;
    await respond({ response_type: reply.isPublic ? 'in_channel' : 'ephemeral', text }).catch(
      (error: unknown) => log.warn('slack command reply failed', { error }),
    );
  });

  if (deps.roleplay === undefined) {
    app.command('/roleplay', async ({ ack, respond }) => {
      await ack();
      await respond({ response_type: 'ephemeral', text: ROLEPLAY_NOT_YET }).catch(() => undefined);
    });
  } else {
    registerSlackRoleplay(app, {
      setup: deps.roleplay,
      gate,
      commands: deps.commands,
      client: app.client,
      directory,
      logger: log,
    });
  }

  app.error(async (error) => {
    // A message that could not be queued is answered 500, so that Slack delivers it again.
    if (error.original instanceof NotQueued || error instanceof NotQueued) throw error;
    log.error('slack app error', { error });
  });

  return {
    platform: 'slack',
    status: () => status,
    async start() {
      if (receiver instanceof HTTPReceiver)
        deps.http.route(
          'POST',
          SLACK_EVENTS_PATH,
          guardSlackRequests(config.signingSecret ?? '', receiver.requestListener),
        );
      try {
        const self = await port.identity();
        bot = self;
        await app.init();
        if (isSocketMode) await app.start();
        status = { state: 'connected' };
        log.info('slack connected', { mode: isSocketMode ? 'socket' : 'http', team: self.teamId });
      } catch (error) {
        const code = slackErrorCode(error);
        status = {
          state: 'disconnected',
          detail: code === 'invalid_auth' ? 'SLACK_BOT_TOKEN was refused' : 'Slack unreachable',
        };
        throw error;
      }
    },
    personaSink,
    port,
    async stop() {
      if (receiver instanceof SocketModeReceiver) {
        const closed = new Promise((resolve) => receiver.client.once('disconnected', resolve));
        await app.stop();
        await closed;
      }
      status = { state: 'disconnected' };
    },
  };
}

function tsToMs(ts: string): number {
  return Math.round(Number(ts) * 1000);
}

export type { WebClient };

/** A person's message the work queue did not take (Redis unreachable). */
class NotQueued extends Error {
  constructor(cause: unknown) {
    super('message not queued', { cause });
    this.name = 'NotQueued';
  }
}
