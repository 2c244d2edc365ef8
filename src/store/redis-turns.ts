import { randomUUID } from 'node:crypto';
import type { Message } from '../core/model.js';
import type { Logger } from '../log/logger.js';
import type { RedisIo } from './redis-connection.js';
import type { RedisName } from './redis-keys.js';
import { createLeaseRenewer, type Lease, type LeaseRenewer } from './redis-lease-renewer.js';
import { createReleaseFeed, type ReleaseFeed } from './redis-release-feed.js';
import {
  ADMIT_SCRIPT,
  CHECK_SCRIPT,
  ENQUEUE_SCRIPT,
  RELEASE_SCRIPT,
  runScript,
  TURN_HEAD,
  TURN_LOST,
  TURN_WAIT,
} from './redis-scripts.js';
import type { AdmitReceipt, TakeTurnOptions, Turn } from './store.js';
import { abortError, requireAdmitted } from './store-input.js';

/** Turn-taking over Redis: a queue per thread, leases renewed while alive, releases published. */
export interface RedisTurns {
  /**
   * Claims the delivery and, when new, queues a place held for `placeHoldMs`; its token (`token`
   * when given) and writes the receipt (see AdmitOptions.receipt) to the ledger keys.
   */
  admit(
    thread: string,
    claimKey: string,
    claimTtlMs: number,
    admission: Admission,
  ): Promise<string | undefined>;
  /** Drops the claim and the admitted place. */
  withdraw(thread: string, claimKey: string, place: string): Promise<void>;
  /** `record` writes what a release is given and leaves the line, in one step (see `Turn`). */
  take(thread: string, options: TakeTurnOptions, record: Recorder): Promise<Turn>;
  /** Stops renewing (held turns' signals abort) and wakes waiting takers so they fail. */
  close(): Promise<void>;
}

/** What an admission writes besides the claim and the place. */
export interface Admission {
  /** The thread's conversation key (marked joined when `joinTtlMs` is given). */
  readonly conversation: string;
  readonly joinTtlMs?: number;
  readonly token?: string;
  readonly receipt?: AdmitReceipt;
  /** The here-first ledger's keys, where a receipt goes. */
  readonly ledger: { readonly due: string; readonly jobs: string };
}

/** A place's keys and wake-up channel, as a release that also records needs them. */
export interface LeavingPlace {
  readonly keys: readonly [queue: string, alive: string, seq: string];
  readonly channel: string;
}

/** Records an answer and leaves the line in one trip. */
export type Recorder = (messages: readonly Message[], leaving: LeavingPlace) => Promise<unknown>;

export interface RedisTurnsDeps {
  readonly io: RedisIo;
  readonly key: (name: RedisName) => string;
  readonly leaseMs: number;
  /** How long an admitted place waits to be adopted by a taker before it lapses. */
  readonly placeHoldMs: number;
  /** First re-check of a waiting taker that heard no release (pub/sub is the fast path). */
  readonly firstPollMs?: number;
  readonly logger: Logger;
}

interface Context extends RedisTurnsDeps {
  readonly renewer: LeaseRenewer;
  readonly feed: ReleaseFeed;
  /** Places this process waits on or holds: a second taker of one of them is a duplicate attempt. */
  readonly inUse: Set<string>;
}

/** The keys of one taker's place in one thread's queue; its alive key is also its queue member. */
interface Place {
  readonly thread: string;
  readonly token: string;
  readonly queue: string;
  readonly seq: string;
  readonly channel: string;
  readonly alive: string;
}

type TurnState = typeof TURN_HEAD | typeof TURN_WAIT | typeof TURN_LOST;

// A queue nobody joined for a day is debris: a turn lasts seconds to minutes.
const TURN_QUEUE_IDLE_MS = 24 * 60 * 60 * 1_000;
// Tokens are UUIDs; a place from elsewhere (a queued job's data) must be one to name a key.
const PLACE_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Polling only backs up pub/sub (a wake-up missed during a reconnect) and finds dead holders,
// which lapse after a whole lease anyway: first poll within a second, backing off to half a lease.
const FIRST_POLL_MS = 1_000;

/** Creates the turn-taking half of the Redis store. */
export function createRedisTurns(deps: RedisTurnsDeps): RedisTurns {
  const { io, leaseMs, logger } = deps;
  const renewer = createLeaseRenewer({
    leaseMs,
    renew: (leases) => renew(io, leases, leaseMs),
    logger,
  });
  const feed = createReleaseFeed({
    connect: () => io.duplicate('subscriber'),
    countTrip: () => io.count(),
    logger,
  });
  const context: Context = { ...deps, renewer, feed, inUse: new Set() };
  return {
    async admit(thread, claimKey, claimTtlMs, admission) {
      const place = placeOf(context, thread, adoptable(admission.token));
      const { receipt, ledger } = admission;
      const keys = [
        claimKey,
        place.seq,
        place.queue,
        place.alive,
        admission.conversation,
        ledger.due,
        ledger.jobs,
      ];
      const args = [
        claimTtlMs,
        deps.placeHoldMs,
        TURN_QUEUE_IDLE_MS,
        admission.joinTtlMs ?? '',
        receipt?.jobId ?? '',
        receipt?.job ?? '',
        receipt?.dueAt ?? '',
      ];
      return (await runScript(io, ADMIT_SCRIPT, keys, args)) === 1 ? place.token : undefined;
    },
    async withdraw(thread, claimKey, token) {
      const place = placeOf(context, thread, adoptable(token));
      await io.trip((client) => client.del(claimKey));
      await leave(context, place);
    },
    take: (thread, options, record) => take(context, thread, options, record),
    async close() {
      renewer.stop();
      await feed.close();
    },
  };
}

async function take(
  context: Context,
  thread: string,
  options: TakeTurnOptions,
  record: Recorder,
): Promise<Turn> {
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const wanted = placeOf(context, thread, adoptable(options.place));
  // A place already in use here means a second attempt at the same work (a queue job moved back
  // while its first attempt still runs): it queues behind that attempt instead of sharing it.
  const isAdopting = options.place !== undefined && !context.inUse.has(wanted.alive);
  const place =
    isAdopting || options.place === undefined ? wanted : placeOf(context, thread, randomUUID());
  context.inUse.add(place.alive);
  context.renewer.wait(place.alive);
  try {
    // An admitted place is checked (and renewed) where it stands; a lapsed one joins the end.
    let state = isAdopting ? await check(context, place) : await enqueue(context, place);
    // Sent before its admission was answered, the check may have gone first (another connection).
    if (state === TURN_LOST && options.admitted !== undefined) {
      await requireAdmitted(options.admitted);
      state = await check(context, place);
    }
    if (state === TURN_LOST) state = await enqueue(context, place);
    if (state !== TURN_HEAD) await waitForHead(context, place, signal);
    if (signal?.aborted) throw abortError(signal);
  } catch (error) {
    context.renewer.remove(place.alive);
    context.inUse.delete(place.alive);
    // Handed off, not awaited: with Redis down it would only delay the caller's error, and a
    // place left behind lapses with its lease anyway.
    leave(context, place).catch((leaveError: unknown) =>
      context.logger.debug('turn leave failed', { error: leaveError }),
    );
    throw error;
  }
  return hold(context, place, record);
}

async function waitForHead(
  context: Context,
  place: Place,
  signal: AbortSignal | undefined,
): Promise<void> {
  const maxPollMs = context.leaseMs / 2;
  const waiter = await context.feed.listen(place.channel);
  try {
    let pollMs = Math.min(context.firstPollMs ?? FIRST_POLL_MS, maxPollMs);
    // A release may have been published before this waiter listened: look again once.
    let state = await check(context, place);
    while (state !== TURN_HEAD) {
      if (state === TURN_LOST) {
        // Only when this process stalled longer than a lease: it is alive, so it queues again.
        context.logger.warn('turn place lapsed while waiting', { thread: place.thread });
        state = await enqueue(context, place);
        continue;
      }
      await waiter.next(pollMs, signal);
      pollMs = Math.min(pollMs * 2, maxPollMs);
      state = await check(context, place);
    }
  } finally {
    waiter.stop();
  }
}

function hold(context: Context, place: Place, record: Recorder): Turn {
  const controller = new AbortController();
  context.renewer.hold(place.alive, (reason) => {
    context.logger.warn('turn lost', { thread: place.thread });
    controller.abort(reason);
  });
  let isReleased = false;
  return {
    signal: controller.signal,
    async release(answer) {
      if (isReleased) return;
      isReleased = true;
      context.renewer.remove(place.alive);
      context.inUse.delete(place.alive);
      if (answer === undefined) {
        await leave(context, place);
        return;
      }
      await record(answer, leavingOf(place)).catch(async (error: unknown) => {
        // Not recorded, but the line must still move on: a place left would hold it a lease.
        await leave(context, place).catch(() => undefined);
        throw error;
      });
    },
    abandon() {
      isReleased = true;
      context.renewer.remove(place.alive);
      context.inUse.delete(place.alive);
    },
  };
}

function adoptable(place: string | undefined): string {
  if (place === undefined) return randomUUID();
  if (!PLACE_PATTERN.test(place)) throw new Error('a turn place must be a token from admit');
  return place;
}

function placeOf(context: Context, thread: string, token: string): Place {
  const [queue, alive] = lineKeysOf(context.key, thread, token);
  return {
    thread,
    token,
    queue,
    seq: context.key({ kind: 'turnseq', thread }),
    channel: context.key({ kind: 'released', thread }),
    alive,
  };
}

/** A place's keys in its thread's line (turns, alive): what says whether it is first. */
export function lineKeysOf(
  key: (name: RedisName) => string,
  thread: string,
  token: string,
): readonly [string, string] {
  return [key({ kind: 'turns', thread }), key({ kind: 'turn', thread, token })];
}

/** The line keys of a place named from elsewhere (a queued job's data), checked first. */
export function adoptedLineKeys(
  key: (name: RedisName) => string,
  thread: string,
  place: string,
): readonly [string, string] {
  return lineKeysOf(key, thread, adoptable(place));
}

async function enqueue(context: Context, place: Place): Promise<TurnState> {
  const keys = [place.seq, place.queue, place.alive];
  return toState(
    await runScript(context.io, ENQUEUE_SCRIPT, keys, [context.leaseMs, TURN_QUEUE_IDLE_MS]),
  );
}

async function check(context: Context, place: Place): Promise<TurnState> {
  return toState(
    await runScript(context.io, CHECK_SCRIPT, [place.queue, place.alive], [context.leaseMs]),
  );
}

function leavingOf(place: Place): LeavingPlace {
  return { keys: [place.queue, place.alive, place.seq], channel: place.channel };
}

function leave(context: Context, place: Place): Promise<unknown> {
  const { keys, channel } = leavingOf(place);
  return runScript(context.io, RELEASE_SCRIPT, keys, [channel]);
}

/** One pipeline: queued takers' leases are (re)set, holders' only extended if still there. */
async function renew(io: RedisIo, leases: readonly Lease[], leaseMs: number): Promise<boolean[]> {
  const replies = await io.trip((client) => {
    const pipeline = client.pipeline();
    for (const lease of leases) {
      if (lease.isHeld) pipeline.set(lease.key, '1', 'PX', leaseMs, 'XX');
      else pipeline.set(lease.key, '1', 'PX', leaseMs);
    }
    return pipeline.exec();
  });
  return leases.map((_, index) => {
    const [error, reply] = replies?.[index] ?? [null, 'OK'];
    // A failed command says nothing about the lease; only a missing key means it lapsed.
    return error !== null || reply !== null;
  });
}

function toState(reply: unknown): TurnState {
  if (reply === TURN_HEAD || reply === TURN_WAIT || reply === TURN_LOST) return reply;
  throw new Error(`unexpected turn script reply: ${String(reply)}`);
}
