import type { Redis } from 'ioredis';
import type { Logger } from '../log/logger.js';
import { quit } from './redis-connection.js';
import { abortError } from './store-input.js';

/** One taker's view of a thread's release channel. */
export interface ReleaseWaiter {
  /** Resolves on a release since the last call, or after `timeoutMs`; rejects when `signal` aborts. */
  next(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Stops listening (the channel is unsubscribed when its last waiter stops). */
  stop(): void;
}

/** Wakes waiting takers when a turn is released anywhere, over one lazily opened subscriber. */
export interface ReleaseFeed {
  /** Listens on a channel; a failed subscribe yields a waiter that only times out (polling). */
  listen(channel: string): Promise<ReleaseWaiter>;
  /** Wakes every waiter for good and closes the subscriber. */
  close(): Promise<void>;
}

export interface ReleaseFeedDeps {
  readonly connect: () => Redis;
  /** Called once per SUBSCRIBE, UNSUBSCRIBE or QUIT (each is one round trip). */
  readonly countTrip: () => void;
  readonly logger: Logger;
}

interface Wake {
  wake(): void;
  next(timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

interface Listening {
  readonly wakes: Set<Wake>;
  readonly ready: Promise<unknown>;
}

interface FeedState {
  readonly deps: ReleaseFeedDeps;
  readonly channels: Map<string, Listening>;
  readonly closed: { value: boolean };
  subscriber: Redis | undefined;
}

/** Creates the feed; nothing connects until the first taker has to wait. */
export function createReleaseFeed(deps: ReleaseFeedDeps): ReleaseFeed {
  const state: FeedState = {
    deps,
    channels: new Map(),
    closed: { value: false },
    subscriber: undefined,
  };
  return {
    listen: (channel) => listen(state, channel),
    async close() {
      state.closed.value = true;
      for (const listening of state.channels.values())
        for (const wake of listening.wakes) wake.wake();
      state.channels.clear();
      if (state.subscriber === undefined) return;
      deps.countTrip();
      await quit(state.subscriber);
    },
  };
}

async function listen(state: FeedState, channel: string): Promise<ReleaseWaiter> {
  let listening = state.channels.get(channel);
  if (listening === undefined) {
    state.deps.countTrip();
    listening = { wakes: new Set(), ready: subscriberOf(state).subscribe(channel) };
    state.channels.set(channel, listening);
  }
  const wake = createWake(state.closed);
  listening.wakes.add(wake);
  try {
    await listening.ready;
  } catch (error) {
    // Wake-ups only speed waiting up; the taker's polling still finds its turn. A subscribe that
    // failed (a starved process's command timing out) must not fail the turn.
    unlisten(state, channel, wake);
    state.deps.logger.debug('turn subscribe failed; polling only', { error });
    return { next: (timeoutMs, signal) => wake.next(timeoutMs, signal), stop: () => {} };
  }
  return {
    next: (timeoutMs, signal) => wake.next(timeoutMs, signal),
    stop: () => unlisten(state, channel, wake),
  };
}

function unlisten(state: FeedState, channel: string, wake: Wake): void {
  const listening = state.channels.get(channel);
  if (listening === undefined || !listening.wakes.delete(wake) || listening.wakes.size > 0) return;
  state.channels.delete(channel);
  if (state.closed.value) return;
  state.deps.countTrip();
  subscriberOf(state)
    .unsubscribe(channel)
    .catch((error: unknown) => state.deps.logger.debug('turn unsubscribe failed', { error }));
}

/** The subscriber connection, opened on first use; a message wakes that channel's waiters. */
function subscriberOf(state: FeedState): Redis {
  if (state.subscriber === undefined) {
    state.subscriber = state.deps.connect();
    state.subscriber.on('message', (channel: string) => {
      for (const wake of state.channels.get(channel)?.wakes ?? []) wake.wake();
    });
  }
  return state.subscriber;
}

/** A wake-up that is remembered when it comes while nobody is waiting for it. */
function createWake(closed: { readonly value: boolean }): Wake {
  let isPending = false;
  let resolveWaiting: (() => void) | undefined;
  return {
    wake() {
      if (resolveWaiting === undefined) isPending = true;
      else resolveWaiting();
    },
    next(timeoutMs, signal) {
      if (signal?.aborted) return Promise.reject(abortError(signal));
      if (isPending || closed.value) {
        isPending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const settle = (outcome: () => void) => () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolveWaiting = undefined;
          outcome();
        };
        const onAbort = settle(() => reject(abortError(signal)));
        const timer = setTimeout(settle(resolve), timeoutMs);
        resolveWaiting = settle(resolve);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
