import { type REST, Routes } from 'discord.js';
import { type ReplyPart, replyWithHandoffs } from '../../src/core/handoff-sink.js';
import { createLiveReply, type MessageTransport } from '../../src/core/live-reply.js';
import type { OutgoingFile, Persona, ReplySink } from '../../src/core/model.js';
import {
  type Acknowledgement,
  journaledTransport,
  type SinkContext,
} from '../../src/core/replies.js';
import { withoutUnfurls } from './discord-text.js';
import type { PersonaWebhooks } from './discord-webhooks.js';

// Discord refuses message content over 2,000 characters (50035 BASE_TYPE_MAX_LENGTH).
export const DISCORD_MAX_MESSAGE_LENGTH = 2_000;
// Discord allows 5 edits per 5 s per channel; one a second leaves room for the other replies.
const EDIT_INTERVAL_MS = 1_000;
// Without boosts a server takes uploads up to 10 MiB per message.
const DISCORD_FILE_MAX_BYTES = 10 * 1024 * 1024;
// A typing indicator lasts 10 s; renew it a little before it fades.
const TYPING_RENEW_MS = 8_000;
// The agent's text must never ping @everyone, roles or people.
const NO_PINGS = { parse: [] };

/** Where one reply goes: a thread or DM channel, optionally under a persona (role-play). */
export interface DiscordReplyTarget {
  readonly channelId: string;
  readonly persona?: Persona;
}

export interface DiscordReplyDeps {
  /** REST only: any process can post, whether or not it holds a gateway connection. */
  readonly rest: REST;
  readonly webhooks: PersonaWebhooks;
}

/**
 * A reply in Discord: typing while the agent thinks, then one message edited as the answer
 * streams (about once a second), continued in new messages past 2,000 characters.
 */
export function createDiscordReplySink(
  deps: DiscordReplyDeps,
  target: DiscordReplyTarget,
  context: SinkContext = {},
): ReplySink {
  return replyWithHandoffs(target, context, (part, partContext) =>
    createDiscordReplyPart(deps, part, partContext),
  );
}

/** One agent's part of a reply in Discord. */
function createDiscordReplyPart(
  deps: DiscordReplyDeps,
  target: DiscordReplyTarget,
  context: SinkContext = {},
): ReplyPart {
  // The first post carries the first words: its intent is journaled ahead.
  const transport = journaledTransport(transportFor(deps, target), context.journal, true);
  const live = createLiveReply(transport, {
    maxChars: DISCORD_MAX_MESSAGE_LENGTH,
    minEditIntervalMs: EDIT_INTERVAL_MS,
    render: withoutUnfurls,
  });
  let typing: NodeJS.Timeout | undefined;
  const sendTyping = (): Promise<unknown> =>
    deps.rest.post(Routes.channelTyping(target.channelId)).catch(() => undefined);
  const stopTyping = (): void => {
    clearInterval(typing);
    typing = undefined;
  };
  return {
    async start() {
      if (target.persona !== undefined) return;
      // Ingress started typing a moment ago; the renewal carries it on.
      if (context.acknowledged?.kind !== 'status') await sendTyping();
      typing = setInterval(() => {
        if (live.hasPosted) return stopTyping();
        void sendTyping();
      }, TYPING_RENEW_MS);
    },
    async append(delta) {
      live.append(delta);
    },
    async activity(label) {
      live.status(label);
    },
    async attach(file) {
      if (file.bytes.byteLength > DISCORD_FILE_MAX_BYTES)
        throw new RangeError('file too large for Discord');
      await postFile(deps, target, file);
    },
    async finish() {
      stopTyping();
      await live.finish();
    },
    async fail(notice) {
      stopTyping();
      await live.fail(notice);
    },
  };
}

/**
 * Ingress's sign of life: typing in the channel, which needs no message. It is not waited for,
 * so the message is queued a round trip sooner; the reply renews it while the agent works (and
 * so carries it on even if this one failed). Never throws.
 */
export async function acknowledgeInDiscord(
  rest: REST,
  channelId: string,
): Promise<Acknowledgement> {
  void rest.post(Routes.channelTyping(channelId)).catch(() => undefined);
  return { kind: 'status' };
}

/** Posts one file as a message of its own (under the persona's webhook when there is one). */
async function postFile(
  deps: DiscordReplyDeps,
  target: DiscordReplyTarget,
  file: OutgoingFile,
): Promise<void> {
  const files = [{ name: file.name, data: Buffer.from(file.bytes), contentType: file.mimeType }];
  const attachments = [{ id: 0, filename: file.name }];
  const persona = target.persona;
  const hook = persona === undefined ? undefined : await deps.webhooks.forThread(target.channelId);
  if (persona === undefined || hook === undefined) {
    await deps.rest.post(Routes.channelMessages(target.channelId), {
      body: { attachments, allowed_mentions: NO_PINGS },
      files,
    });
    return;
  }
  await deps.rest.post(Routes.webhook(hook.id, hook.token), {
    body: { ...personaBody(persona), attachments, allowed_mentions: NO_PINGS },
    files,
    query: new URLSearchParams({ wait: 'true', ...hook.threadQuery }),
    auth: false,
  });
}

function personaBody(persona: Persona): { username: string; avatar_url?: string } {
  return {
    username: persona.name,
    ...(persona.avatarUrl === undefined ? {} : { avatar_url: persona.avatarUrl }),
  };
}

interface ApiMessage {
  readonly id: string;
}

function transportFor(
  deps: DiscordReplyDeps,
  target: DiscordReplyTarget,
): MessageTransport<string> {
  const own = botTransport(deps, target.channelId);
  const persona = target.persona;
  if (persona === undefined) return own;
  // A DM takes no webhooks: there the bot posts the persona's part as itself.
  return {
    post: async (content) => {
      const hook = await deps.webhooks.forThread(target.channelId);
      if (hook === undefined) return own.post(content);
      const body = { content, ...personaBody(persona), allowed_mentions: NO_PINGS };
      const query = new URLSearchParams({ wait: 'true', ...hook.threadQuery });
      const message = (await deps.rest.post(Routes.webhook(hook.id, hook.token), {
        body,
        query,
        auth: false,
      })) as ApiMessage;
      return message.id;
    },
    edit: async (id, content) => {
      const hook = await deps.webhooks.forThread(target.channelId);
      if (hook === undefined) return own.edit(id, content);
      const query = new URLSearchParams(hook.threadQuery);
      const body = { content, allowed_mentions: NO_PINGS };
      await deps.rest.patch(Routes.webhookMessage(hook.id, hook.token, id), {
        body,
        query,
        auth: false,
      });
    },
  };
}

/** Messages the bot posts and edits as itself. */
function botTransport(deps: DiscordReplyDeps, channelId: string): MessageTransport<string> {
  return {
    post: async (content) => {
      const body = { content, allowed_mentions: NO_PINGS };
      const message = (await deps.rest.post(Routes.channelMessages(channelId), {
        body,
      })) as ApiMessage;
      return message.id;
    },
    edit: async (id, content) => {
      await deps.rest.patch(Routes.channelMessage(channelId, id), {
        body: { content, allowed_mentions: NO_PINGS },
      });
    },
  };
}
