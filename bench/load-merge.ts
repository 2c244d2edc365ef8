/**
 * Pools the figures of one bot at one level measured in several rounds. The bench runs its bots
 * in turn, in reversed order every other round, so that a machine that grows busier or quieter
 * over the run weighs on every bot alike; latencies are pooled, counts and CPU summed.
 */
import type { DeliveryCheck } from './load-driver.js';
import type { LevelFigures } from './load-level.js';

function sumMaps(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
): ReadonlyMap<string, number> {
  const sum = new Map(a);
  for (const [name, count] of b) sum.set(name, (sum.get(name) ?? 0) + count);
  return sum;
}

function sumChecks(a: DeliveryCheck, b: DeliveryCheck): DeliveryCheck {
  return {
    exactlyOnce: a.exactlyOnce + b.exactlyOnce,
    missing: a.missing + b.missing,
    duplicates: a.duplicates + b.duplicates,
    others: a.others + b.others,
  };
}

const sumOptional = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : a + b;

/** One round's figures added to the rounds before (same bot, same level). */
export function poolFigures(a: LevelFigures, b: LevelFigures): LevelFigures {
  const redisCommands =
    a.redisCommands === undefined || b.redisCommands === undefined
      ? undefined
      : sumMaps(a.redisCommands, b.redisCommands);
  return {
    plan: a.plan,
    sent: a.sent + b.sent,
    answered: a.answered + b.answered,
    timeouts: a.timeouts + b.timeouts,
    undelivered: a.undelivered + b.undelivered,
    lateAcks: a.lateAcks + b.lateAcks,
    check: sumChecks(a.check, b.check),
    signOfLife: [...a.signOfLife, ...b.signOfLife],
    agentAsked: [...a.agentAsked, ...b.agentAsked],
    firstText: [...a.firstText, ...b.firstText],
    final: [...a.final, ...b.final],
    // Each round is the same closed loop: its mean cycle is weighed by its questions.
    meanCycleMs: (a.meanCycleMs * a.sent + b.meanCycleMs * b.sent) / (a.sent + b.sent),
    elapsedMs: a.elapsedMs + b.elapsedMs,
    measuredMs: a.measuredMs + b.measuredMs,
    cpuMs: a.cpuMs + b.cpuMs,
    startRssMb: Math.min(a.startRssMb, b.startRssMb),
    peakRssMb: Math.max(a.peakRssMb, b.peakRssMb),
    slackCalls: sumMaps(a.slackCalls, b.slackCalls),
    slackRateLimited: a.slackRateLimited + b.slackRateLimited,
    strayCalls: a.strayCalls + b.strayCalls,
    redisCommands,
    harnessCpuMs: a.harnessCpuMs + b.harnessCpuMs,
    redisCpuMs: sumOptional(a.redisCpuMs, b.redisCpuMs),
    otherCpuMs: a.otherCpuMs + b.otherCpuMs,
  };
}
