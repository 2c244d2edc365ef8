import type { Access } from '../../src/access/access.js';
import type { Chooser } from '../../src/access/agent-rights.js';
import { type Asker, refusalText } from '../../src/access/policy.js';
import { setBounded } from '../../src/core/bounded-map.js';
import type { ThreadRef } from '../../src/core/model.js';
import type { WireMessage } from '../../src/core/replies.js';
import type { Logger } from '../../src/log/logger.js';
import { callSlack, type WebClient } from './slack-calls.js';
import { type SlackMessageEvent, type SlackRoute, threadRootOf } from './slack-events.js';

/** Where a slash command was typed and by whom, as Slack sends it. */
export interface SlackCommandPlace {
  readonly team_id: string;
  readonly channel_id: string;
  readonly user_id: string;
}

// Admin rights change rarely but matter at once: looked up again after a few minutes.
const ADMIN_TTL_MS = 5 * 60 * 1000;
// Bounds memory in a large workspace; the oldest entry goes first.
const MAX_CACHED_ADMINS = 5_000;
const DM_CHANNEL = /^D/;

/** Access control on Slack: who asks from where, the ephemeral notes, and who is an admin. */
export function createSlackAccess(access: Access, client: WebClient, logger: Logger) {
  const admins = new Map<string, { isAdmin: Promise<boolean>; expiresAt: number }>();

  async function lookUpAdmin(userId: string): Promise<boolean> {
    try {
      const { user } = await callSlack(() => client.users.info({ user: userId }));
      return user?.is_admin === true || user?.is_owner === true;
    } catch (error) {
      logger.warn('admin lookup failed', { userId, error });
      admins.delete(userId);
      return false;
    }
  }

  /** Workspace admins and owners (users.info, cached briefly), or ADMIN_USERS. */
  async function isAdmin(userId: string): Promise<boolean> {
    if (access.isAdmin(userId, false)) return true;
    const cached = admins.get(userId);
    if (cached !== undefined && cached.expiresAt > Date.now()) return cached.isAdmin;
    const isPlatformAdmin = lookUpAdmin(userId);
    const entry = { isAdmin: isPlatformAdmin, expiresAt: Date.now() + ADMIN_TTL_MS };
    setBounded(admins, userId, entry, MAX_CACHED_ADMINS);
    return isPlatformAdmin;
  }

  /** A private note in the channel (or thread) only the person sees; a failure is only logged. */
  async function note(channel: string, user: string, threadTs: string | undefined, text: string) {
    await callSlack(() =>
      client.chat.postEphemeral({
        channel,
        user,
        text,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      }),
    ).catch((error: unknown) => logger.warn('slack note not posted', { error }));
  }

  return {
    isAdmin,
    /**
     * True when the message may not reach an agent here. When it was for Parley
     * (`isForParley`: not a reply in someone else's thread), the person gets one ephemeral note,
     * at most once an hour per channel (across processes). Nothing else happens.
     */
    async refuses(
      event: SlackMessageEvent,
      route: Exclude<SlackRoute, { kind: 'ignored' }>,
      defaultTeam: string,
      isPartOf: (thread: ThreadRef) => Promise<boolean>,
    ): Promise<boolean> {
      const team = event.team ?? defaultTeam;
      const asker = messageAsker(event, team);
      const refusal = access.refusal(asker);
      if (refusal === undefined) return false;
      if (route.kind === 'thread-reply' && !(await isPartOf(slackThreadOf(event, team))))
        return true;
      access.refuse(asker, refusal, slackDeliveryKey(team, event));
      if (await access.shouldNote(asker))
        await note(event.channel, event.user, event.threadTs, refusalText(refusal));
      return true;
    },
    /** Counts the agent call this message causes; over USER_RATE_LIMIT, says so (once) and is false. */
    async isWithinLimit(event: SlackMessageEvent, incoming: WireMessage): Promise<boolean> {
      return access.allowsCall('slack', event.user, incoming.deliveryKey, (notice) =>
        note(event.channel, event.user, incoming.thread.thread, notice),
      );
    },
    /** What a slash command typed here is answered with when Parley is not enabled for it. */
    commandRefusal(place: SlackCommandPlace): string | undefined {
      return access.commandRefusal(commandAsker(place));
    },
    /** The person changing a setting, with their rights. */
    async chooser(place: SlackCommandPlace): Promise<Chooser> {
      return {
        platform: 'slack',
        isAdmin: await isAdmin(place.user_id),
        isOwnDm: DM_CHANNEL.test(place.channel_id),
      };
    },
  };
}

export type SlackAccess = ReturnType<typeof createSlackAccess>;

/** The key a Slack message is delivered under: the app_mention and message twins share it. */
export function slackDeliveryKey(team: string, event: SlackMessageEvent): string {
  return `slack:${team}:${event.channel}:${event.ts}`;
}

/** The conversation a message belongs to: its thread (a mention at the top starts one). */
export function slackThreadOf(event: SlackMessageEvent, team: string): ThreadRef {
  return {
    platform: 'slack',
    workspace: team,
    channel: event.channel,
    thread: threadRootOf(event),
  };
}

function messageAsker(event: SlackMessageEvent, team: string): Asker {
  return {
    platform: 'slack',
    workspace: team,
    channels: [event.channel],
    userId: event.user,
    roleIds: [],
    isDm: event.channelType === 'im',
  };
}

function commandAsker(place: SlackCommandPlace): Asker {
  return {
    platform: 'slack',
    workspace: place.team_id,
    channels: [place.channel_id],
    userId: place.user_id,
    roleIds: [],
    isDm: DM_CHANNEL.test(place.channel_id),
  };
}
