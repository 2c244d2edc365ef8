/**
 * One load level against one running bot: the conversations, and what they cost it (CPU of
 * its process tree, peak RSS, Slack calls, Redis commands), read before and after.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { FakeSlack } from '../test/fakes/slack/index.js';
import type { BotProcess } from './load-bots.js';
import {
  checkThreads,
  type DeliveryCheck,
  type LevelPlan,
  runConversations,
} from './load-driver.js';
import type { CallTracker } from './load-tracker.js';
import { machineBusyMs, sampleRss, treeCpuMs, treeRssMb } from './proc-stats.js';
import { type CommandCounts, countsDelta, type RedisProbe } from './redis-stats.js';

// Replies still landing after the last answer (a duplicate, a late edit) are counted too.
const SETTLE_MS = 1_000;

export interface LevelRig {
  readonly slack: FakeSlack;
  readonly tracker: CallTracker;
  readonly bot: BotProcess;
  readonly redis?: RedisProbe;
}

export interface LevelFigures {
  readonly plan: LevelPlan;
  readonly sent: number;
  readonly answered: number;
  readonly timeouts: number;
  readonly undelivered: number;
  /** Events the bot did not acknowledge with a 2xx within 3 s. */
  readonly lateAcks: number;
  readonly check: DeliveryCheck;
  /** Latencies from the event being sent, in ms, one per question that reached the stage. */
  readonly signOfLife: readonly number[];
  /** To the agent's request arriving: how long the bot takes to ask. */
  readonly agentAsked: readonly number[];
  readonly firstText: readonly number[];
  readonly final: readonly number[];
  /** Mean time from one question of a conversation to its next (or to the last answer). */
  readonly meanCycleMs: number;
  readonly elapsedMs: number;
  /** The window CPU and calls were read over: the level and its settling time. */
  readonly measuredMs: number;
  readonly cpuMs: number;
  /** The bot's process tree when the level started, and at its largest during the level. */
  readonly startRssMb: number;
  readonly peakRssMb: number;
  readonly slackCalls: ReadonlyMap<string, number>;
  readonly slackRateLimited: number;
  readonly strayCalls: number;
  readonly redisCommands: ReadonlyMap<string, number> | undefined;
  /** CPU the benchmark's own process (fakes and driver) used meanwhile. */
  readonly harnessCpuMs: number;
  /** CPU the bot's own redis-server used meanwhile (Redis bots only). */
  readonly redisCpuMs: number | undefined;
  /** CPU every other process on the machine used meanwhile. */
  readonly otherCpuMs: number;
}

interface Reading {
  readonly at: number;
  readonly cpuMs: number;
  readonly machineMs: number;
  readonly harness: NodeJS.CpuUsage;
  readonly callIndex: number;
  readonly strayCalls: number;
  readonly redis: CommandCounts | undefined;
  readonly redisCpuMs: number | undefined;
}

async function read(rig: LevelRig): Promise<Reading> {
  return {
    at: Date.now(),
    cpuMs: treeCpuMs(rig.bot.pid),
    machineMs: machineBusyMs(),
    harness: process.cpuUsage(),
    callIndex: rig.tracker.position,
    strayCalls: rig.tracker.strayCalls,
    redis: await rig.redis?.counts(),
    redisCpuMs: await rig.redis?.cpuMs(),
  };
}

function callsBetween(slack: FakeSlack, from: number, to: number) {
  const byMethod = new Map<string, number>();
  let rateLimited = 0;
  for (const call of slack.calls.slice(from, to)) {
    byMethod.set(call.method, (byMethod.get(call.method) ?? 0) + 1);
    if (call.status === 429) rateLimited += 1;
  }
  return { byMethod, rateLimited };
}

type Records = Awaited<ReturnType<typeof runConversations>>;

function latencies(
  records: Records,
  stage: 'signOfLife' | 'agentAsked' | 'firstText' | 'final',
): number[] {
  return records.flatMap((conversation) =>
    conversation.turns.flatMap((turn) => {
      const at = stage === 'agentAsked' ? turn.agentAskedAt : turn.outcome[stage];
      return at === undefined ? [] : [at - turn.sentAt];
    }),
  );
}

/** Little's law for a closed loop: each question's turn lasts until the next one is sent. */
function meanCycleMs(records: Records): number {
  const cycles = records.flatMap((conversation) =>
    conversation.turns.flatMap((turn, index) => {
      const next = conversation.turns[index + 1]?.sentAt ?? turn.outcome.final;
      return next === undefined ? [] : [next - turn.sentAt];
    }),
  );
  return cycles.reduce((sum, cycle) => sum + cycle, 0) / Math.max(1, cycles.length);
}

function countOutcomes(records: Records) {
  const turns = records.flatMap((conversation) => conversation.turns);
  const count = (kind: string) => turns.filter((turn) => turn.outcome.kind === kind).length;
  return {
    sent: turns.length,
    answered: count('answered'),
    timeouts: count('timeout'),
    undelivered: count('undelivered'),
    lateAcks: turns.filter((turn) => !turn.acked).length,
  };
}

/** Who used the CPU between two readings: the bot, its redis-server, the harness, the rest. */
function cpuBetween(before: Reading, after: Reading) {
  const { user, system } = after.harness;
  const harnessCpuMs = (user - before.harness.user + system - before.harness.system) / 1000;
  const cpuMs = after.cpuMs - before.cpuMs;
  const redisCpuMs =
    before.redisCpuMs === undefined || after.redisCpuMs === undefined
      ? undefined
      : after.redisCpuMs - before.redisCpuMs;
  const machineMs = after.machineMs - before.machineMs;
  const otherCpuMs = Math.max(0, machineMs - cpuMs - harnessCpuMs - (redisCpuMs ?? 0));
  return { cpuMs, harnessCpuMs, redisCpuMs, otherCpuMs };
}

/** Runs the level's conversations against the bot and gathers its figures. */
export async function measureLevel(rig: LevelRig, plan: LevelPlan): Promise<LevelFigures> {
  const startRssMb = treeRssMb(rig.bot.pid);
  const before = await read(rig);
  const rss = sampleRss(rig.bot.pid);
  const records = await runConversations(rig.slack, rig.tracker, rig.bot.eventsUrl, plan);
  const elapsedMs = Date.now() - before.at;
  await delay(SETTLE_MS);
  const peakRssMb = rss.stop();
  const after = await read(rig);
  const calls = callsBetween(rig.slack, before.callIndex, after.callIndex);
  return {
    plan,
    ...countOutcomes(records),
    check: checkThreads(rig.slack, records),
    signOfLife: latencies(records, 'signOfLife'),
    agentAsked: latencies(records, 'agentAsked'),
    firstText: latencies(records, 'firstText'),
    final: latencies(records, 'final'),
    meanCycleMs: meanCycleMs(records),
    elapsedMs,
    measuredMs: after.at - before.at,
    ...cpuBetween(before, after),
    startRssMb,
    peakRssMb,
    slackCalls: calls.byMethod,
    slackRateLimited: calls.rateLimited,
    strayCalls: after.strayCalls - before.strayCalls,
    redisCommands:
      before.redis === undefined || after.redis === undefined
        ? undefined
        : countsDelta(before.redis, after.redis),
  };
}
