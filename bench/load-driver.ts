/**
 * A closed loop of people talking to a bot through the fake Slack: each conversation mentions
 * the bot in a channel (a new thread), waits for the final answer, then asks a follow-up in
 * the same thread, for a bounded number of turns. Events are signed and POSTed by the fake.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { FakeSlack } from '../test/fakes/slack/index.js';
import { agentAskedAt, answerFor, normalized, questionFor } from './load-answers.js';
import type { CallTracker, TurnOutcome } from './load-tracker.js';

/** One load level: how many people at once, for how long. */
export interface LevelPlan {
  /** Starts every tag, so answers of different levels never match each other. */
  readonly id: string;
  readonly conversations: number;
  readonly turns: number;
  /** How long the agent takes over each answer, in all (its first token after a quarter). */
  readonly agentMs: number;
  readonly channels: readonly string[];
  readonly users: readonly string[];
  /** Conversations start spread over this long (0: all at once, a burst). */
  readonly rampMs: number;
  readonly answerTimeoutMs: number;
  /** No new turn starts after this long; the level always ends. */
  readonly deadlineMs: number;
}

export interface TurnRecord {
  readonly sentAt: number;
  readonly outcome: TurnOutcome;
  /** When the agent's request for it arrived (the first, if it was asked more than once). */
  readonly agentAskedAt: number | undefined;
  /** The bot acknowledged the event with a 2xx within Slack's 3 seconds. */
  readonly acked: boolean;
}

export interface ConversationRecord {
  readonly channel: string;
  /** The thread's root ts; '' if the conversation never started. */
  readonly root: string;
  readonly tags: readonly string[];
  readonly turns: readonly TurnRecord[];
}

/** Sends one question and waits for its answer (or its timeout). */
async function askOnce(
  slack: FakeSlack,
  tracker: CallTracker,
  target: { readonly eventsUrl: string; readonly timeoutMs: number },
  question: {
    readonly channel: string;
    readonly user: string;
    readonly tag: string;
    readonly root?: string;
  },
): Promise<{ readonly root: string; readonly turn: TurnRecord }> {
  const event = slack.userMessage({
    channel: question.channel,
    user: question.user,
    text: questionFor(question.tag, slack.botUserId),
    mention: true,
    ...(question.root === undefined ? {} : { threadTs: question.root }),
  });
  const root = question.root ?? String(event.ts);
  const outcome = tracker.expect(question.channel, root, answerFor(question.tag), target.timeoutMs);
  const sentAt = Date.now();
  const delivery = slack.sendEvent(target.eventsUrl, event).then(
    (result) => {
      if (result.status >= 300)
        tracker.abandon(question.channel, root, `event answered ${result.status}`);
      return result.acked;
    },
    (error: unknown) => {
      tracker.abandon(question.channel, root, `event not delivered: ${String(error)}`);
      return false;
    },
  );
  const [acked, settled] = await Promise.all([delivery, outcome]);
  const askedAt = agentAskedAt.get(question.tag);
  agentAskedAt.delete(question.tag);
  return { root, turn: { sentAt, outcome: settled, acked, agentAskedAt: askedAt } };
}

async function converse(
  slack: FakeSlack,
  tracker: CallTracker,
  eventsUrl: string,
  plan: LevelPlan,
  index: number,
): Promise<ConversationRecord> {
  const deadline = Date.now() + plan.deadlineMs;
  const channel = plan.channels[index % plan.channels.length] ?? '';
  const user = plan.users[index % plan.users.length] ?? '';
  await delay((index * plan.rampMs) / plan.conversations);
  const target = { eventsUrl, timeoutMs: plan.answerTimeoutMs };
  const turns: TurnRecord[] = [];
  const tags: string[] = [];
  let root: string | undefined;
  for (let turn = 0; turn < plan.turns && Date.now() < deadline; turn += 1) {
    const tag = `${plan.id}c${index}t${turn}`;
    const asked = await askOnce(slack, tracker, target, {
      channel,
      user,
      tag,
      ...(root === undefined ? {} : { root }),
    });
    root = asked.root;
    tags.push(tag);
    turns.push(asked.turn);
    if (asked.turn.outcome.kind !== 'answered') break;
  }
  return { channel, root: root ?? '', tags, turns };
}

/** Runs every conversation of the level to its end; never rejects for a bot's failure. */
export function runConversations(
  slack: FakeSlack,
  tracker: CallTracker,
  eventsUrl: string,
  plan: LevelPlan,
): Promise<ConversationRecord[]> {
  return Promise.all(
    Array.from({ length: plan.conversations }, (_, index) =>
      converse(slack, tracker, eventsUrl, plan, index),
    ),
  );
}

/** What each thread finally holds, against what was asked. */
export interface DeliveryCheck {
  /** Questions whose answer is in their thread exactly once. */
  readonly exactlyOnce: number;
  /** Questions with no reply showing their answer. */
  readonly missing: number;
  /** Second and later copies of an answer. */
  readonly duplicates: number;
  /** Bot messages that are no question's answer (notices, placeholders left behind). */
  readonly others: number;
}

/** Counts the bot's replies in every thread and matches them to the questions asked. */
export function checkThreads(
  slack: FakeSlack,
  conversations: readonly ConversationRecord[],
): DeliveryCheck {
  const check = { exactlyOnce: 0, missing: 0, duplicates: 0, others: 0 };
  for (const conversation of conversations) {
    if (conversation.root === '') continue;
    const replies = slack
      .messages(conversation.channel, conversation.root)
      .filter((message) => message.isBot)
      .map((message) => normalized(message.text));
    let matched = 0;
    for (const tag of conversation.tags) {
      const copies = replies.filter((text) => text === normalized(answerFor(tag))).length;
      matched += copies;
      if (copies === 0) check.missing += 1;
      if (copies === 1) check.exactlyOnce += 1;
      check.duplicates += Math.max(0, copies - 1);
    }
    check.others += replies.length - matched;
  }
  return check;
}
