import type { Message, SendableChannels, Webhook } from 'discord.js';
import { createLiveReply, type MessageTransport } from '../../src/core/live-reply.js';
import type { Persona, ReplySink } from '../../src/core/model.js';

// Discord refuses message content over 2,000 characters (50035 BASE_TYPE_MAX_LENGTH).
export const DISCORD_MAX_MESSAGE_LENGTH = 2_000;
// Discord allows 5 edits per 5 s per channel; one a second leaves room for the other replies.
const EDIT_INTERVAL_MS = 1_000;
// A typing indicator lasts 10 s; renew it a little before it fades.
const TYPING_RENEW_MS = 8_000;
// The agent's text must never ping @everyone, roles or people.
const NO_PINGS = { parse: [] as [] };

/** Where one reply goes: a thread or DM channel, and for personas the parent channel's webhook. */
export interface DiscordReplyTarget {
  readonly channel: SendableChannels;
  readonly persona?: {
    readonly persona: Persona;
    readonly webhook: () => Promise<Webhook>;
    readonly threadId?: string;
  };
}

/**
 * A reply in Discord: typing while the agent thinks, then one message edited as the answer
 * streams (about once a second), continued in new messages past 2,000 characters.
 */
export function createDiscordReplySink(target: DiscordReplyTarget): ReplySink {
  const live = createLiveReply(transportFor(target), {
    maxChars: DISCORD_MAX_MESSAGE_LENGTH,
    minEditIntervalMs: EDIT_INTERVAL_MS,
    render: (markdown) => markdown,
  });
  let typing: NodeJS.Timeout | undefined;
  const stopTyping = (): void => {
    clearInterval(typing);
    typing = undefined;
  };
  return {
    async start() {
      if (target.persona !== undefined) return;
      await target.channel.sendTyping().catch(() => undefined);
      typing = setInterval(() => {
        if (live.hasPosted) return stopTyping();
        void target.channel.sendTyping().catch(() => undefined);
      }, TYPING_RENEW_MS);
    },
    async append(delta) {
      live.append(delta);
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

function transportFor(target: DiscordReplyTarget): MessageTransport<string> {
  const persona = target.persona;
  if (persona === undefined) {
    const sent = new Map<string, Message>();
    return {
      post: async (content) => {
        const message = await target.channel.send({ content, allowedMentions: NO_PINGS });
        sent.set(message.id, message);
        return message.id;
      },
      edit: async (id, content) => {
        await sent.get(id)?.edit({ content, allowedMentions: NO_PINGS });
      },
    };
  }
  const thread = persona.threadId === undefined ? {} : { threadId: persona.threadId };
  return {
    post: async (content) => {
      const webhook = await persona.webhook();
      const message = await webhook.send({
        content,
        username: persona.persona.name,
        ...(persona.persona.avatarUrl === undefined
          ? {}
          : { avatarURL: persona.persona.avatarUrl }),
        allowedMentions: NO_PINGS,
        ...thread,
      });
      return message.id;
    },
    edit: async (id, content) => {
      await (await persona.webhook()).editMessage(id, {
        content,
        allowedMentions: NO_PINGS,
        ...thread,
      });
    },
  };
}
