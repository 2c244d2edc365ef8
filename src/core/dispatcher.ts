import type { AgentClient } from '../agent/agent-client.js';
import { type ErrorCode, ParleyError, toParleyError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ConversationStore, Turn } from '../store/store.js';
import { isTruncated } from '../store/stored-message.js';
import { resolveAgentId } from './agent-choice.js';
import { playAnswer } from './answer-events.js';
import {
  appendWithContext,
  type Begun,
  beginAnswer,
  beginEarly,
  dropHeadStart,
  forgetRefused,
  type HeadStart,
  recordAnswer,
  replyIdOf,
  startAhead,
} from './dispatch-history.js';
import type { IncomingMessage, Persona, ReplySink } from './model.js';
import { threadKey } from './model.js';
import { MESSAGE_CUT_NOTICE, noticeFor } from './notices.js';
import { createFilePreparer, type FilePreparer } from './prepare-files.js';
import { anySignal, settledAll, withinMs } from './timing.js';

/** How handling one message ended. */
export type DispatchOutcome =
  | { readonly kind: 'replied'; readonly agentId: string; readonly chars: number }
  | { readonly kind: 'skipped'; readonly reason: 'duplicate' }
  | { readonly kind: 'failed'; readonly code: ErrorCode }
  /** Stopped unseen for another process to finish (a worker shutting down). */
  | { readonly kind: 'handed-back' };

export interface DispatcherDeps {
  readonly store: ConversationStore;
  readonly agent: AgentClient;
  readonly defaultAgentId: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** How an agent an answer is handed to is shown; by default, under its own name. */
  readonly personaOf?: (agentId: string, agentName: string) => Persona;
  /** Reads and readies the files people attached; one per process by default (it caches). */
  readonly files?: FilePreparer;
  readonly now?: () => number;
}

export interface DispatchOptions {
  /** Aborts the agent call (shutdown); the person is told to send again. */
  readonly signal?: AbortSignal;
  /** False where the platform cannot show a growing message. */
  readonly stream?: boolean;
  /** The delivery was already claimed (a queue's ingress dedupes before enqueuing). */
  readonly isClaimed?: boolean;
  /** Parley joins the thread (a mention) as the delivery is claimed; see `Submission.joins`. */
  readonly join?: boolean;
  /** Another attempt at the same message (a worker died): don't record it twice. */
  readonly isRetry?: boolean;
  /** The thread's turn place taken when the message was admitted (see ConversationStore.admit). */
  readonly place?: string;
  /**
   * Aborted when the reply should stop without a word to the person and keep its turn place:
   * another process will take the message up again (a work queue's retry).
   */
  readonly handBack?: AbortSignal;
  /** The message's first trip, sent with its admission (see `startAhead`); `place` is its place. */
  readonly headStart?: HeadStart;
}

export interface Dispatcher {
  handle(
    incoming: IncomingMessage,
    sink: ReplySink,
    options?: DispatchOptions,
  ): Promise<DispatchOutcome>;
  /**
   * Sends a message's first store trip with its admission, before the admission is answered;
   * handled later with `{ headStart, place }`, or dropped (`dropHeadStart`).
   */
  startAhead(
    incoming: IncomingMessage,
    start: { readonly place: string; readonly admission: Promise<boolean> },
    handBack?: AbortSignal,
  ): HeadStart;
  /**
   * Stops taking messages, lets replies under way finish for up to `graceMs`, then cancels
   * the rest (each person is told to send again).
   */
  drain(graceMs: number): Promise<void>;
}

// How long replies get to stop once shutdown aborted them.
const AFTER_ABORT_MS = 2_000;

// Platforms redeliver for minutes (Slack retries for ~5 minutes); an hour outlives every retry.
export const DEDUPE_TTL_MS = 60 * 60 * 1000;

/** The claim that dedupes one delivery, wherever it is taken (dispatcher, queue ingress). */
export function deliveryClaim(deliveryKey: string): string {
  return `delivery:${deliveryKey}`;
}

/** Deduplicated, turn-taking, streamed handling of one human message. */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'dispatcher' });
  const files = deps.files ?? createFilePreparer(log);
  const personaOf =
    deps.personaOf ?? ((_agentId: string, agentName: string) => ({ name: agentName }));

  async function answer(
    incoming: IncomingMessage,
    sink: ReplySink,
    options: DispatchOptions,
    begun: Begun,
    turn: Turn,
  ) {
    const { recorded, early } = begun;
    // Three independent steps at once, each a round trip (store, store, platform); all settle
    // before a failure is told, so the sink is never started and failed at the same time.
    const [history, agentId] = await settledAll([
      early?.history ?? appendWithContext(deps.store, incoming, recorded),
      early?.agentId ?? resolveAgentId(deps.store, incoming.thread, deps.defaultAgentId),
      sink.start(),
    ] as const);
    // Told above the answer, and kept out of it: the recorded answer is the agent's words only.
    if (isTruncated(history.find((message) => message.id === incoming.message.id))) {
      log.info('message cut to budget', { thread: threadKey(incoming.thread) });
      await sink.append(`_${MESSAGE_CUT_NOTICE}_\n\n`);
    }
    const hasFiles = history.some((message) => message.attachments.length > 0);
    const readsImages = hasFiles ? (await deps.agent.describe(agentId)).vision : undefined;
    const prepared = await files.prepare(history, incoming.message.id, incoming.readFile, {
      ...withSignal(options.signal),
      ...(readsImages === undefined ? {} : { readsImages }),
    });
    if (prepared.notice !== undefined) await sink.append(`_${prepared.notice}_\n\n`);
    const started = now();
    const request = {
      agentId,
      messages: history,
      isShared: incoming.isShared,
      files: prepared.files,
      ...signalAndStream(options),
    };
    const answered = await playAnswer(
      deps.agent.stream(request),
      sink,
      agentId,
      {
        agent: deps.agent,
        logger: log,
        personaOf,
        onFirstText: () => deps.metrics.agentLatency('first_token', (now() - started) / 1000),
      },
      options.signal,
    );
    // An image with no words is an answer; nothing at all is not.
    if (answered.text.trim() === '' && answered.files === 0)
      throw new ParleyError('AGENT_EMPTY_ANSWER', 'agent answered nothing');
    deps.metrics.agentLatency('complete', (now() - started) / 1000);
    await sink.finish();
    // Recorded only once the platform shows the whole answer: a retry (this process died) that
    // finds it in the history skips it, so it must be on screen by then. It goes with the turn's
    // release, so a follow-up waiting for the turn pays one round trip, not two. A failure to
    // record it is logged, never shown as an error: the person has the answer.
    const said = { agentId, spoken: answered.spoken, at: now() };
    await recordAnswer(deps, incoming, said, turn).catch((error: unknown) =>
      log.warn('answer not recorded', { thread: threadKey(incoming.thread), error }),
    );
    return { kind: 'replied' as const, agentId, chars: answered.text.length };
  }

  async function failed(error: unknown, sink: ReplySink, thread: string): Promise<DispatchOutcome> {
    const parleyError = toParleyError(error);
    deps.metrics.error(parleyError.code);
    log.warn('reply failed', { thread, code: parleyError.code, error: parleyError });
    await sink.fail(noticeFor(parleyError.code)).catch((sinkError: unknown) => {
      log.error('failure notice not posted', { thread, error: sinkError });
    });
    return { kind: 'failed', code: parleyError.code };
  }

  const inFlight = new Set<Promise<DispatchOutcome>>();
  const shutdown = new AbortController();
  let isDraining = false;

  async function handleTracked(
    incoming: IncomingMessage,
    sink: ReplySink,
    options: DispatchOptions,
  ) {
    const thread = threadKey(incoming.thread);
    const signal = anySignal(shutdown.signal, options.signal);
    const outcome = await handleOnce(incoming, sink, { ...options, signal }).catch(
      (error: unknown) => failed(error, sink, thread),
    );
    deps.metrics.messageHandled(incoming.thread.platform, metricOutcome(outcome));
    log.info('message handled', { thread, outcome: outcome.kind });
    return outcome;
  }

  return {
    handle(incoming, sink, options = {}) {
      if (isDraining) {
        if (options.headStart !== undefined) dropHeadStart(options.headStart);
        return failed(
          new ParleyError('CANCELLED', 'shutting down'),
          sink,
          threadKey(incoming.thread),
        );
      }
      const work = handleTracked(incoming, sink, options);
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
      return work;
    },
    startAhead: (incoming, start, handBack) =>
      startAhead(deps, incoming, start, anySignal(shutdown.signal, handBack)),
    async drain(graceMs) {
      isDraining = true;
      await withinMs(Promise.allSettled([...inFlight]), graceMs, undefined);
      shutdown.abort(new ParleyError('CANCELLED', 'shutting down'));
      // A reply that ignores the abort must not hold the process: with a queue, its job or
      // ledger entry outlives this process and another worker takes it over.
      const ended = await withinMs(Promise.allSettled([...inFlight]), AFTER_ABORT_MS, false);
      if (ended === false) log.warn('replies still running at shutdown', { count: inFlight.size });
    },
  };

  async function handleOnce(incoming: IncomingMessage, sink: ReplySink, options: DispatchOptions) {
    const head = options.headStart;
    const joining = options.join === true ? deps.store.joinThread(incoming.thread) : undefined;
    const claiming =
      head?.admission ??
      (options.isClaimed === true ||
        deps.store.claim(deliveryClaim(incoming.deliveryKey), DEDUPE_TTL_MS));
    // A duplicate's head start took no turn (its place was refused); a failure's is let go.
    const [isFirst] = await Promise.all([claiming, joining]).catch((error: unknown) => {
      if (head !== undefined) dropHeadStart(head);
      throw error;
    });
    if (!isFirst) return { kind: 'skipped' as const, reason: 'duplicate' as const };
    const { place } = options;
    const early =
      head?.early ??
      (options.isRetry === true || place === undefined
        ? undefined
        : beginEarly(deps, incoming, place));
    const waitSignal = anySignal(options.signal, options.handBack);
    const taking =
      head?.turn ??
      deps.store.takeTurn(incoming.thread, { signal: waitSignal, ...(place && { place }) });
    const turn = await taking.catch((error: unknown) => {
      if (options.handBack?.aborted === true) return undefined;
      throw error;
    });
    if (turn === undefined) return { kind: 'handed-back' as const };
    let isHandedBack = false;
    try {
      const begun = await beginAnswer(deps.store, incoming, early, options.isRetry === true);
      if (begun.recorded?.some((message) => message.id === replyIdOf(incoming))) {
        return { kind: 'skipped' as const, reason: 'duplicate' as const };
      }
      const signal = anySignal(turn.signal, options.signal, options.handBack);
      return await answer(incoming, sink, { ...options, signal }, begun, turn);
    } catch (error) {
      isHandedBack = options.handBack?.aborted === true;
      if (isHandedBack) return { kind: 'handed-back' as const };
      await forgetRefused(deps.store, incoming, error, log);
      throw error;
    } finally {
      // A handed-back turn keeps its place for the retry; an unreleased one lapses with its lease.
      if (isHandedBack) turn.abandon();
      else await turn.release().catch((error: unknown) => log.warn('turn not released', { error }));
    }
  }
}

function metricOutcome(
  outcome: DispatchOutcome,
): 'replied' | 'duplicate' | 'failed' | 'handed_back' {
  if (outcome.kind === 'handed-back') return 'handed_back';
  return outcome.kind === 'skipped' ? 'duplicate' : outcome.kind;
}

function withSignal(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

function signalAndStream(options: DispatchOptions): { signal?: AbortSignal; stream?: boolean } {
  return {
    ...withSignal(options.signal),
    ...(options.stream === undefined ? {} : { stream: options.stream }),
  };
}
