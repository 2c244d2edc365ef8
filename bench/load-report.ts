/**
 * The load section's printout: per level, a table of every bot's figures with their ratios
 * against the bare-Bolt baseline, in-process Parley and the Chat SDK bot on the same row,
 * then the headline ratios and the per-method call counts behind them.
 */
import { AGENT_ANSWER_MS } from './load-answers.js';
import { BOT_LABELS, type BotKind } from './load-bots.js';
import type { LevelFigures } from './load-level.js';
import { median, ms, ratio, summarize } from './stats.js';

/** A person would call an answer this late broken (the brief's threshold). */
export const LATE_ANSWER_MS = 19_000;
/** Slack's patience with an event, and how soon a person wants to see the bot is on it. */
const SIGN_OF_LIFE_MS = 3_000;
const COLUMN_ORDER: readonly BotKind[] = ['bare', 'memory', 'queue', 'sdk'];
const LABEL_WIDTH = 24;
const CELL_WIDTH = 11;
const TOP_COMMANDS = 8;
// Other processes this busy (a test run, a build) skew every figure of the level.
const BUSY_MACHINE_PERCENT = 40;
const HEADLINES: readonly string[] = [
  'sign of life p50',
  'agent asked p50',
  'first text p50',
  'first text p99',
  'final answer p50',
  'final answer p99',
  'bridge overhead p50',
  'answers/s',
  'bot CPU ms / answer',
  'bot peak RSS MB',
];

/** Every bot's figures for one level; a bot that did not run is absent. */
export type LevelResults = Partial<Record<BotKind, LevelFigures>>;

interface Row {
  readonly label: string;
  readonly value: (figures: LevelFigures) => number | undefined;
  readonly format: (value: number) => string;
  /** Counts and shares get no ratio columns: a ratio of zeros says nothing. */
  readonly hasRatios: boolean;
}

function perAnswer(total: number, figures: LevelFigures): number | undefined {
  return figures.answered === 0 ? undefined : total / figures.answered;
}

function sumOf(counts: ReadonlyMap<string, number>): number {
  return [...counts.values()].reduce((sum, count) => sum + count, 0);
}

/** Closed-loop throughput: N conversations, each answered once per turn time. */
export function answersPerSecond(figures: LevelFigures): number | undefined {
  if (figures.answered === 0) return undefined;
  return (figures.plan.conversations * 1000) / figures.meanCycleMs;
}

function otherPercent(figures: LevelFigures): number {
  return (100 * figures.otherCpuMs) / figures.measuredMs;
}

/** What the level would answer per second if the bot added nothing to the agent's time. */
export function idealPerSecond(figures: LevelFigures): number {
  return (figures.plan.conversations * 1000) / figures.plan.agentMs;
}

/** "N=150", "N=50, agent 0.2 s", "100 at once, agent 10 s". */
export function levelName(plan: LevelFigures['plan']): string {
  const count = plan.rampMs === 0 ? `${plan.conversations} at once` : `N=${plan.conversations}`;
  return plan.agentMs === AGENT_ANSWER_MS ? count : `${count}, agent ${plan.agentMs / 1000} s`;
}

const timeRow = (label: string, pick: (f: LevelFigures) => readonly number[], q: 'p50' | 'p99') =>
  ({
    label,
    value: (f) => (pick(f).length === 0 ? undefined : summarize(pick(f))[q]),
    format: ms,
    hasRatios: true,
  }) satisfies Row;

const fixed = (digits: number) => (value: number) => value.toFixed(digits);

const ROWS: readonly Row[] = [
  {
    label: 'answered exactly once',
    value: (f) => f.check.exactlyOnce,
    format: fixed(0),
    hasRatios: false,
  },
  { label: 'questions sent', value: (f) => f.sent, format: fixed(0), hasRatios: false },
  timeRow('sign of life p50', (f) => f.signOfLife, 'p50'),
  timeRow('sign of life p99', (f) => f.signOfLife, 'p99'),
  {
    label: `no sign of life in ${SIGN_OF_LIFE_MS / 1000} s`,
    value: (f) => f.sent - f.signOfLife.filter((latency) => latency <= SIGN_OF_LIFE_MS).length,
    format: fixed(0),
    hasRatios: false,
  },
  // From the event to the agent's request: the part of first text the bot decides.
  timeRow('agent asked p50', (f) => f.agentAsked, 'p50'),
  timeRow('agent asked p99', (f) => f.agentAsked, 'p99'),
  timeRow('first text p50', (f) => f.firstText, 'p50'),
  timeRow('first text p99', (f) => f.firstText, 'p99'),
  timeRow('final answer p50', (f) => f.final, 'p50'),
  timeRow('final answer p99', (f) => f.final, 'p99'),
  // What the bot adds to the agent's own time: the "bridge overhead".
  {
    label: 'bridge overhead p50',
    value: (f) => (f.final.length === 0 ? undefined : summarize(f.final).p50 - f.plan.agentMs),
    format: ms,
    hasRatios: true,
  },
  { label: 'answers/s', value: answersPerSecond, format: fixed(1), hasRatios: true },
  {
    label: 'answers/s ÷ ideal',
    value: (f) => {
      const rate = answersPerSecond(f);
      return rate === undefined ? undefined : rate / idealPerSecond(f);
    },
    format: ratio,
    hasRatios: false,
  },
  {
    label: `answers later than ${LATE_ANSWER_MS / 1000} s`,
    value: (f) => f.final.filter((latency) => latency > LATE_ANSWER_MS).length,
    format: fixed(0),
    hasRatios: false,
  },
  {
    label: 'bot CPU ms / answer',
    value: (f) => perAnswer(f.cpuMs, f),
    format: fixed(1),
    hasRatios: true,
  },
  {
    label: 'bot CPU % of one core',
    value: (f) => (100 * f.cpuMs) / f.measuredMs,
    format: fixed(0),
    hasRatios: false,
  },
  { label: 'bot peak RSS MB', value: (f) => f.peakRssMb, format: fixed(0), hasRatios: true },
  { label: 'bot RSS MB at start', value: (f) => f.startRssMb, format: fixed(0), hasRatios: true },
  {
    label: 'Slack calls / answer',
    value: (f) => perAnswer(sumOf(f.slackCalls), f),
    format: fixed(2),
    hasRatios: true,
  },
  { label: 'Slack 429s', value: (f) => f.slackRateLimited, format: fixed(0), hasRatios: false },
  {
    label: 'Redis CPU ms / answer',
    value: (f) => (f.redisCpuMs === undefined ? undefined : perAnswer(f.redisCpuMs, f)),
    format: fixed(1),
    hasRatios: false,
  },
  {
    label: 'Redis cmds / answer',
    value: (f) =>
      f.redisCommands === undefined ? undefined : perAnswer(sumOf(f.redisCommands), f),
    format: fixed(1),
    hasRatios: false,
  },
  {
    label: 'harness CPU % of a core',
    value: (f) => (100 * f.harnessCpuMs) / f.measuredMs,
    format: fixed(0),
    hasRatios: false,
  },
  {
    label: 'other CPU % of a core',
    value: otherPercent,
    format: fixed(0),
    hasRatios: false,
  },
];

function ratioCell(top: number | undefined, bottom: number | undefined): string {
  if (top === undefined || bottom === undefined || bottom === 0) return '—';
  return ratio(top / bottom);
}

function tableRow(row: Row, results: LevelResults): string {
  const values = COLUMN_ORDER.map((kind) => {
    const figures = results[kind];
    return figures === undefined ? undefined : row.value(figures);
  });
  const [bare, memory, queue, sdk] = values;
  const cells = values.map((value) => (value === undefined ? '—' : row.format(value)));
  const ratios = row.hasRatios
    ? [
        ratioCell(memory, bare),
        ratioCell(queue, bare),
        ratioCell(queue, memory),
        ratioCell(sdk, bare),
        ratioCell(queue, sdk),
      ]
    : ['', '', '', '', ''];
  return [
    row.label.padEnd(LABEL_WIDTH),
    ...[...cells, ...ratios].map((cell) => cell.padStart(CELL_WIDTH)),
  ]
    .join('')
    .trimEnd();
}

// The ratio columns: in-process ÷ bare Bolt, queue ÷ bare Bolt, queue ÷ in-process,
// Chat SDK ÷ bare Bolt, queue ÷ Chat SDK.
function tableHeader(): string {
  const names = [
    'bare Bolt',
    'in-proc',
    'queue',
    'chat SDK',
    'in-proc÷b',
    'queue÷b',
    'queue÷ip',
    'sdk÷b',
    'queue÷sdk',
  ];
  return ['', ...names]
    .map((name, index) => (index === 0 ? ''.padEnd(LABEL_WIDTH) : name.padStart(CELL_WIDTH)))
    .join('');
}

/** The level's table: absolute figures with their ratios on the same row. */
export function printLevelTable(results: LevelResults): void {
  const first = Object.values(results)[0];
  if (first === undefined) return;
  const { conversations, turns, agentMs, rampMs } = first.plan;
  const ideal = idealPerSecond(first).toFixed(1);
  const start = rampMs === 0 ? 'all at once' : `started over ${rampMs / 1000} s`;
  console.log(
    `\nN = ${conversations} conversations × ${turns} questions, ${start}, agent ${agentMs / 1000} s each (ideal ${ideal} answers/s):`,
  );
  console.log(tableHeader());
  for (const row of ROWS) console.log(tableRow(row, results));
}

function headline(label: string, row: Row | undefined, results: LevelResults): string | undefined {
  if (row === undefined) return undefined;
  const value = (kind: BotKind) => {
    const figures = results[kind];
    return figures === undefined ? undefined : row.value(figures);
  };
  const [bare, memory, queue, sdk] = [value('bare'), value('memory'), value('queue'), value('sdk')];
  const [q, ip, bb, cs] = (['queue', 'memory', 'bare', 'sdk'] as const).map(shortLabel);
  return `${label}: ${q} ${ratioCell(queue, memory)} ${ip}, ${ratioCell(queue, bare)} ${bb}, ${ratioCell(queue, sdk)} ${cs}; ${ip} ${ratioCell(memory, bare)} ${bb}; ${cs} ${ratioCell(sdk, bare)} ${bb}`;
}

/** "first text p50: queue 1.05× in-process, 1.10× bare Bolt, 0.90× Chat SDK; …" for the figures users feel. */
export function printHeadlines(results: LevelResults): void {
  for (const label of HEADLINES) {
    const line = headline(
      label,
      ROWS.find((row) => row.label === label),
      results,
    );
    if (line !== undefined) console.log(`  ${line}`);
  }
}

function perAnswerList(
  counts: ReadonlyMap<string, number>,
  figures: LevelFigures,
  top: number,
): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, count]) => `${name} ${(perAnswer(count, figures) ?? 0).toFixed(2)}`)
    .join(', ');
}

/** Every round's figures of one level, by bot, in the order the rounds ran. */
export type RoundResults = Partial<Record<BotKind, readonly LevelFigures[]>>;

// The pairs whose round-by-round spread is printed: what the queue costs, and against what.
const ROUND_PAIRS: readonly (readonly [BotKind, BotKind])[] = [
  ['queue', 'memory'],
  ['queue', 'sdk'],
];
const ROUND_ROWS: readonly string[] = ['agent asked p50', 'first text p50', 'first text p99'];

/**
 * "queue ÷ in-process, round by round: first text p50 0.97× 1.04× (median 1.01×)": the pooled
 * ratio alone hides how much it moves between rounds minutes apart, which is what a difference
 * of a few per cent has to be judged against.
 */
export function printRoundRatios(rounds: RoundResults): void {
  for (const [top, bottom] of ROUND_PAIRS) {
    const tops = rounds[top] ?? [];
    const bottoms = rounds[bottom] ?? [];
    const count = Math.min(tops.length, bottoms.length);
    if (count < 2) continue;
    const cells = ROUND_ROWS.flatMap((label) => {
      const row = ROWS.find((candidate) => candidate.label === label);
      if (row === undefined) return [];
      const ratios = Array.from({ length: count }, (_, index) => {
        const a = row.value(tops[index] as LevelFigures);
        const b = row.value(bottoms[index] as LevelFigures);
        return a === undefined || b === undefined || b === 0 ? Number.NaN : a / b;
      }).filter((value) => !Number.isNaN(value));
      if (ratios.length === 0) return [];
      return [`${label} ${ratios.map(ratio).join(' ')} (median ${ratio(median(ratios))})`];
    });
    if (cells.length > 0)
      console.log(
        `  ${shortLabel(top)} ÷ ${shortLabel(bottom)}, round by round: ${cells.join('; ')}`,
      );
  }
}

// How the ratio lines name the bots (BOT_LABELS is for the progress lines).
const SHORT_LABELS: Readonly<Record<BotKind, string>> = {
  queue: 'queue',
  memory: 'in-process',
  bare: 'bare Bolt',
  sdk: 'Chat SDK',
};
const shortLabel = (kind: BotKind): string => SHORT_LABELS[kind];

/** Which Slack methods and Redis commands each answer cost. */
export function printBreakdowns(results: LevelResults): void {
  for (const kind of COLUMN_ORDER) {
    const figures = results[kind];
    if (figures === undefined || figures.answered === 0) continue;
    console.log(
      `  Slack calls/answer, ${BOT_LABELS[kind]}: ${perAnswerList(figures.slackCalls, figures, Number.POSITIVE_INFINITY)}`,
    );
    if (figures.redisCommands !== undefined) {
      console.log(
        `  Redis cmds/answer, ${BOT_LABELS[kind]} (top ${TOP_COMMANDS}): ${perAnswerList(figures.redisCommands, figures, TOP_COMMANDS)}`,
      );
    }
  }
}

/** Anything that makes a bot's figures suspect, said plainly. */
export function printProblems(kind: BotKind, figures: LevelFigures): void {
  const { check } = figures;
  const problems = [
    figures.timeouts > 0 ? `${figures.timeouts} timed out` : '',
    figures.undelivered > 0 ? `${figures.undelivered} events not delivered` : '',
    figures.lateAcks > 0 ? `${figures.lateAcks} events not acked within 3 s` : '',
    check.missing > 0 ? `${check.missing} answers missing from their thread` : '',
    check.duplicates > 0 ? `${check.duplicates} answers posted twice` : '',
    check.others > 0 ? `${check.others} other bot messages` : '',
    figures.strayCalls > 0 ? `${figures.strayCalls} visible calls after an answer was final` : '',
    otherPercent(figures) > BUSY_MACHINE_PERCENT
      ? `other processes used ${otherPercent(figures).toFixed(0)}% of a core meanwhile: figures skewed`
      : '',
  ].filter((problem) => problem !== '');
  if (problems.length > 0)
    console.log(`  ! ${BOT_LABELS[kind]}, ${levelName(figures.plan)}: ${problems.join('; ')}`);
}
