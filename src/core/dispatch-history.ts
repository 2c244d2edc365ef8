import type { AgentClient } from '../agent/agent-client.js';
import { type ErrorCode, toParleyError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ConversationStore, Turn } from '../store/store.js';
import { resolveAgentId } from './agent-choice.js';
import type { Spoken } from './answer-events.js';
import { type IncomingMessage, type Message, threadKey } from './model.js';

// What the dispatcher writes to a thread's history: the person's line (with backfill) and the answer.

/** The id of the answer to a message: a retry finds it in the history. */
export function replyIdOf(incoming: IncomingMessage): string {
  return `${incoming.message.id}:reply`;
}

/**
 * Appends the person's message; a first mention mid-thread also brings the thread so far.
 * `recorded` is the history a retry already read: the message may be in it from the first try.
 */
export async function appendWithContext(
  store: ConversationStore,
  incoming: IncomingMessage,
  recorded: readonly Message[] | undefined,
) {
  if (recorded?.some((message) => message.id === incoming.message.id)) return recorded;
  const load = incoming.loadContext;
  if (load === undefined || (recorded !== undefined && recorded.length > 0))
    return store.append(incoming.thread, [incoming.message]);
  // Mid-thread: the thread so far comes first only when the history has not begun.
  const appended =
    recorded === undefined
      ? await store.appendIf(incoming.thread, [incoming.message], { ifStarted: true })
      : undefined;
  if (appended !== undefined) return appended;
  const earlier = await backfill(store, incoming, load);
  return store.append(incoming.thread, [...earlier, incoming.message]);
}

/** What a queued message starts before its turn is confirmed (see beginEarly). */
export interface Early {
  /** The history with the message appended; undefined when it was not (not first in line). */
  readonly history: Promise<readonly Message[] | undefined>;
  readonly agentId: Promise<string>;
}

type EarlyDeps = { readonly store: ConversationStore; readonly defaultAgentId: string };

/**
 * A message's first trip sent with its admission, not after it (see queue/here-first): the
 * early append and agent read, and the turn taken on the admitted place. A duplicate's place is
 * refused: its append finds the place not in line and writes nothing, and its turn rejects
 * without joining the line.
 */
export interface HeadStart {
  /** True when admitted; false for a duplicate. */
  readonly admission: Promise<boolean>;
  readonly early: Early;
  readonly turn: Promise<Turn>;
}

export function startAhead(
  deps: EarlyDeps,
  incoming: IncomingMessage,
  start: { readonly place: string; readonly admission: Promise<boolean> },
  signal: AbortSignal,
): HeadStart {
  const { place, admission } = start;
  const early = beginEarly(deps, incoming, place);
  const turn = deps.store.takeTurn(incoming.thread, { signal, place, admitted: admission });
  // Awaited by the answer, or dropped: never an unhandled rejection.
  for (const step of [admission, turn]) step.catch(() => undefined);
  return { admission, early, turn };
}

/** Lets go of a head start that is not answered: a turn it took is released. */
export function dropHeadStart(head: HeadStart): void {
  void head.turn.then(
    (turn) => turn.release().catch(() => undefined),
    () => undefined,
  );
}

/** What an answer starts from once the turn is taken. */
export interface Begun {
  /** The history a retry (or an unsure early append) read. */
  readonly recorded: readonly Message[] | undefined;
  /** The early append's history and agent, when the message was appended early. */
  readonly early?: { readonly history: readonly Message[]; readonly agentId: Promise<string> };
}

/**
 * A queued message's place is usually first in its line already (its thread is idle), so its
 * line is appended and its agent read in the same flight as the turn is taken, not after it.
 * The append is written only while the place is first, so the thread's order holds either way.
 */
export function beginEarly(deps: EarlyDeps, incoming: IncomingMessage, place: string): Early {
  const condition = {
    whileFirst: place,
    ...(incoming.loadContext === undefined ? {} : { ifStarted: true }),
  };
  const history = deps.store.appendIf(incoming.thread, [incoming.message], condition);
  const agentId = resolveAgentId(deps.store, incoming.thread, deps.defaultAgentId);
  // Awaited later, or not at all when the turn is not taken: never an unhandled rejection.
  for (const step of [history, agentId]) step.catch(() => undefined);
  return { history, agentId };
}

/**
 * What an answer begins from once its turn is taken. A retry reads the history once: the answer
 * may already be recorded (the process died after recording it), or the person's message may be
 * (it died mid-answer). So does a message whose early append failed: it may be written all the same.
 */
export async function beginAnswer(
  store: ConversationStore,
  incoming: IncomingMessage,
  early: Early | undefined,
  isRetry: boolean,
): Promise<Begun> {
  const appended = await early?.history.then(
    (history) => ({ history, isUnsure: false }),
    () => ({ history: undefined, isUnsure: true }),
  );
  const recorded =
    isRetry || appended?.isUnsure === true ? await store.history(incoming.thread) : undefined;
  const history = appended?.history;
  if (early === undefined || history === undefined) return { recorded };
  return { recorded, early: { history, agentId: early.agentId } };
}

/** The thread so far, as the platform has it, less what a reset cut off and what was refused. */
async function backfill(
  store: ConversationStore,
  incoming: IncomingMessage,
  load: () => Promise<readonly Message[]>,
): Promise<Message[]> {
  const [context, state] = await Promise.all([load(), store.threadState(incoming.thread)]);
  const cutOff = state.resetAt ?? Number.NEGATIVE_INFINITY;
  const refused = new Set([...state.refused, incoming.message.id]);
  return context.filter((message) => message.at > cutOff && !refused.has(message.id));
}

/**
 * One agent's line of an answer. The files it showed are kept by name only (the agent sees
 * that it sent them; the platform's copies are not read back).
 */
export function assistantMessage(
  incoming: IncomingMessage,
  agent: { readonly id: string; readonly name: string },
  said: { readonly text: string; readonly files?: readonly string[] },
  at: number,
  /** Which agent of the answer this is (0, then 1… after each handoff). */
  part = 0,
): Message {
  return {
    id: part === 0 ? replyIdOf(incoming) : `${replyIdOf(incoming)}:${part}`,
    role: 'assistant',
    author: { id: agent.id, name: agent.name, isBot: true },
    text: said.text,
    attachments: (said.files ?? []).map((name) => ({ name, ref: '' })),
    at,
  };
}

/**
 * What each agent said, as the history's assistant lines (several after a handoff), recorded as
 * the turn is let go, in one step: the next message in the thread is answered knowing it.
 */
export async function recordAnswer(
  deps: { readonly agent: Pick<AgentClient, 'describe'> },
  incoming: IncomingMessage,
  answer: { readonly agentId: string; readonly spoken: readonly Spoken[]; readonly at: number },
  turn: Turn,
): Promise<void> {
  const { name } = await deps.agent.describe(answer.agentId);
  const replies = answer.spoken.map((part, index) => {
    const author = { id: part.agentId, name: part.agentName ?? name ?? part.agentId };
    const said = { text: part.text, files: part.files };
    return assistantMessage(incoming, author, said, answer.at, index);
  });
  await turn.release(replies);
}

// Failures that would come back on every later call if the message stayed in the history.
const REFUSED_FOR_GOOD: ReadonlySet<ErrorCode> = new Set([
  'AGENT_BAD_REQUEST',
  'AGENT_NOT_FOUND',
  'AGENT_EMPTY_ANSWER',
  'AGENT_STREAM_BROKEN',
]);

/**
 * A message the agent refused for good is kept out of later calls, so the person's next message
 * goes with the good history only; a temporary failure (429, 5xx, timeout) keeps it for a retry.
 */
export async function forgetRefused(
  store: ConversationStore,
  incoming: IncomingMessage,
  error: unknown,
  log: Logger,
): Promise<void> {
  if (!REFUSED_FOR_GOOD.has(toParleyError(error).code)) return;
  await store.forget(incoming.thread, [incoming.message.id]).catch((forgetError: unknown) => {
    log.warn('refused message not forgotten', {
      thread: threadKey(incoming.thread),
      error: forgetError,
    });
  });
}
