/**
 * Time from a platform delivering a person's message to the first streamed text the person
 * sees, through the real Bolt / discord.js stacks against the fakes, with an agent that
 * answers at once: what the bridge itself adds before the agent's first token shows.
 */
import { startDiscordRig } from '../test/adapters/discord/discord-harness.js';
import { startSlackRig } from '../test/adapters/slack/slack-harness.js';
import { DEFAULT_IDS } from '../test/fakes/discord/index.js';
import { summarize } from './stats.js';

export interface LatencyFigures {
  readonly firstText: { readonly p50: number; readonly p99: number };
  readonly complete: { readonly p50: number; readonly p99: number };
}

/** Slack: event POSTed to /slack/events → chat.startStream (first text) and → chat.stopStream. */
export async function slackLatency(samples: number): Promise<LatencyFigures> {
  const rig = await startSlackRig();
  const firstText: number[] = [];
  const complete: number[] = [];
  try {
    for (let index = 0; index < samples; index += 1) {
      const event = rig.slack.userMessage({
        channel: 'D0ALICE',
        user: 'U0ALICE',
        text: `question ${index}`,
      });
      const started = performance.now();
      const delivered = rig.slack.sendEvent(rig.eventsUrl, event);
      await rig.slack.waitFor(() =>
        rig.slack.messages('D0ALICE', String(event.ts)).some((m) => m.isBot),
      );
      firstText.push(performance.now() - started);
      await rig.slack.waitFor(() =>
        rig.slack
          .messages('D0ALICE', String(event.ts))
          .some((m) => m.isBot && m.stream === 'stopped'),
      );
      complete.push(performance.now() - started);
      await delivered;
    }
  } finally {
    await rig.close();
  }
  return { firstText: summarize(firstText), complete: summarize(complete) };
}

/** Discord: MESSAGE_CREATE dispatched → the first bot message in the new thread, and its final edit. */
export async function discordLatency(samples: number): Promise<LatencyFigures> {
  const rig = await startDiscordRig();
  const firstText: number[] = [];
  const complete: number[] = [];
  try {
    for (let index = 0; index < samples; index += 1) {
      const started = performance.now();
      const text = `question ${index}`;
      const message = rig.discord.sendMessage({
        channelId: DEFAULT_IDS.general,
        authorId: DEFAULT_IDS.alice,
        content: text,
        mentionsBot: true,
      });
      const fromBot = () =>
        rig.discord.messages(message.id).filter((m) => m.author.id === rig.discord.botUserId);
      await rig.discord.waitFor(() => fromBot().length > 0 || undefined);
      firstText.push(performance.now() - started);
      await rig.discord.waitFor(() => fromBot().some((m) => m.content.endsWith(text)) || undefined);
      complete.push(performance.now() - started);
    }
  } finally {
    await rig.close();
  }
  return { firstText: summarize(firstText), complete: summarize(complete) };
}
