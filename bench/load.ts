/**
 * What users live with under load, for four bots measured one after another in one run:
 * Parley's build with Redis and its queue, Parley's build in-process, a bare Bolt bot and a
 * Vercel Chat SDK bot. Each gets fresh fakes on 127.0.0.1 (and each Redis bot its own
 * redis-server), a short warm-up,
 * then closed-loop levels of N conversations. Prints figures with their ratios to the baseline.
 * `BENCH_LOAD_LEVELS=150x4,500x3` (conversations × questions each) chooses the levels;
 * `BENCH_LOAD_BOTS=queue,memory` which bots run (all four by default);
 * `BENCH_LOAD_ROUNDS=2` how often each runs every level (ABBA order, samples pooled).
 */
import { availableParallelism, loadavg } from 'node:os';
import { type FakeMistral, startFakeMistral } from '../test/fakes/mistral/fake-mistral.js';
import {
  type FakeChannel,
  type FakeSlack,
  type FakeUser,
  SLACK_RATE_LIMITS,
  startFakeSlack,
} from '../test/fakes/slack/index.js';
import { type RedisServer, startRedisServer } from '../test/setup/redis-process.js';
import { onInterrupt } from './cleanup.js';
import { AGENT_ANSWER_MS, pacedAgent } from './load-answers.js';
import {
  BOT_LABELS,
  type BotKind,
  type BotProcess,
  buildParley,
  startBot,
  usesRedis,
} from './load-bots.js';
import type { LevelPlan } from './load-driver.js';
import { type LevelFigures, type LevelRig, measureLevel } from './load-level.js';
import { poolFigures } from './load-merge.js';
import {
  answersPerSecond,
  idealPerSecond,
  type LevelResults,
  levelName,
  printBreakdowns,
  printHeadlines,
  printLevelTable,
  printProblems,
  printRoundRatios,
  type RoundResults,
} from './load-report.js';
import { CallTracker } from './load-tracker.js';
import { createRedisProbe, type RedisProbe } from './redis-stats.js';
import { ms, ratio, summarize } from './stats.js';

const AGENT = 'ag:bench:load';
const API_KEY = 'bench-load-key';
const BOT_ORDER: readonly BotKind[] = ['queue', 'memory', 'bare', 'sdk'];
// The realistic agent at 150 and 500 conversations; a quick one (200 ms) at 50, where what the
// bridge itself adds shows; and 100 mentions at once while the agent takes 10 s (signs of life).
const DEFAULT_LEVELS = '150x4,500x3,50x4@200,burst100@10000';
// Two rounds, the second in reverse order: figures minutes apart on a shared VM drift by ~10%.
const DEFAULT_ROUNDS = 2;
// `150x4`: 150 conversations of 4 questions; `@200`: the agent takes 200 ms (2 s by default);
// `burst100`: 100 conversations of one question, all sent at once.
const LEVEL_PATTERN = /^(?:(\d+)x(\d+)|burst(\d+))(?:@(\d+))?$/;
const MOST_CONVERSATIONS = 2_000;
const AGENT_MS_RANGE = { least: 50, most: 30_000 } as const;
// Two people talking in each channel at once: at ~2 s an answer, one new bot message per second
// per channel, which is Slack's chat.postMessage limit (bursts of a few allowed). With a quicker
// agent, one person per channel: four quick questions stay within Slack's burst.
const CONVERSATIONS_PER_CHANNEL = 2;
const QUICK_AGENT_MS = 1_000;
const conversationsPerChannel = (agentMs: number) =>
  agentMs < QUICK_AGENT_MS ? 1 : CONVERSATIONS_PER_CHANNEL;
const WARM_UP: Omit<LevelPlan, 'channels' | 'users'> = {
  id: 'W',
  conversations: 10,
  turns: 2,
  agentMs: AGENT_ANSWER_MS,
  rampMs: 500,
  answerTimeoutMs: 30_000,
  deadlineMs: 30_000,
};
// Three times the 19 s after which an answer counts as late: past it, it is lost for the person.
const ANSWER_TIMEOUT_MS = 60_000;
// No new question starts after this long in a level, so every level ends in bounded time.
const LEVEL_DEADLINE_MS = 60_000;

const NOTES = [
  'columns: bare Bolt, in-process Parley, Parley + Redis + queue, Chat SDK + Redis; then in-process÷bare, queue÷bare, queue÷in-process, sdk÷bare, queue÷sdk',
  'every bot gets the same events: an app_mention for each question (a follow-up mentions the bot in its thread)',
  "fake Slack enforces chat.postMessage's 1/s per channel (bursts of 5); its per-workspace tiers are off",
  'bare Bolt and the Chat SDK bot run under tsx, whose loader is in their RSS (see "RSS at start"); Parley runs the compiled build',
  'answers/s is N ÷ the mean time from a question to the next one (closed loop)',
  'harness = this process (fakes + driver); other = the rest of the machine (the redis-server apart)',
  'with BENCH_LOAD_ROUNDS > 1 every bot runs each level once a round (reversed order every other round); samples and counts are pooled, so "questions sent" counts every round',
];

interface LevelSize {
  readonly conversations: number;
  readonly turns: number;
  readonly agentMs: number;
  /** Every conversation starts at once, instead of over one answer's time. */
  readonly isBurst: boolean;
}

function levelSizes(spec: string): LevelSize[] {
  return spec.split(',').map((part) => {
    const match = LEVEL_PATTERN.exec(part.trim());
    if (match === null)
      throw new Error(
        `BENCH_LOAD_LEVELS: "${part}" is not N×turns like 150x3, 50x4@200 or burst100@10000`,
      );
    const [, n, turns, burst, agentMs] = match;
    const size: LevelSize = {
      conversations: Number(n ?? burst),
      turns: burst === undefined ? Number(turns) : 1,
      agentMs: agentMs === undefined ? AGENT_ANSWER_MS : Number(agentMs),
      isBurst: burst !== undefined,
    };
    if (size.conversations < 1 || size.conversations > MOST_CONVERSATIONS || size.turns < 1)
      throw new Error(`BENCH_LOAD_LEVELS: "${part}": 1 to ${MOST_CONVERSATIONS} conversations`);
    if (size.agentMs < AGENT_MS_RANGE.least || size.agentMs > AGENT_MS_RANGE.most)
      throw new Error(`BENCH_LOAD_LEVELS: "${part}": the agent takes 50 to 30000 ms`);
    return size;
  });
}

const pad = (index: number) => String(index).padStart(4, '0');
const channelIds = (count: number, prefix: string) =>
  Array.from({ length: count }, (_, index) => `${prefix}${pad(index + 1)}`);
const userIds = (count: number) =>
  Array.from({ length: count }, (_, index) => `UL${pad(index + 1)}`);

// Each level has tags and channels of its own: answers never match another level's, and Slack's
// per-channel allowance starts full for each.
function planFor(size: LevelSize, index: number): LevelPlan {
  return {
    id: `L${index + 1}`,
    conversations: size.conversations,
    turns: size.turns,
    agentMs: size.agentMs,
    channels: channelIds(
      Math.ceil(size.conversations / conversationsPerChannel(size.agentMs)),
      `C${index + 1}L`,
    ),
    users: userIds(size.conversations),
    rampMs: size.isBurst ? 0 : size.agentMs,
    answerTimeoutMs: ANSWER_TIMEOUT_MS,
    deadlineMs: LEVEL_DEADLINE_MS,
  };
}

/** The agent's pace for a question, from its tag (`<level id>c<conversation>t<turn>`). */
function agentMsOf(plans: readonly LevelPlan[]): (tag: string) => number {
  const byLevel = new Map(plans.map((plan) => [plan.id, plan.agentMs]));
  return (tag) => byLevel.get(/^(\w+?)c\d+t\d+$/.exec(tag)?.[1] ?? '') ?? AGENT_ANSWER_MS;
}

function warmUpPlan(): LevelPlan {
  const channels = channelIds(WARM_UP.conversations / CONVERSATIONS_PER_CHANNEL, 'CW');
  return { ...WARM_UP, channels, users: userIds(WARM_UP.conversations) };
}

async function startFakes(
  plans: readonly LevelPlan[],
): Promise<{ slack: FakeSlack; mistral: FakeMistral }> {
  const channels = [...new Set(plans.flatMap((plan) => plan.channels))].map(
    (id): FakeChannel => ({ id, name: id.toLowerCase() }),
  );
  const users = [...new Set(plans.flatMap((plan) => plan.users))].map(
    (id): FakeUser => ({ id, name: `person-${id.toLowerCase()}`, displayName: `Person ${id}` }),
  );
  // Slack's per-channel posting limit only: its per-workspace tiers would cap any bot at a
  // few answers a second with hundreds of people in one workspace, measuring Slack, not the bot.
  const rateLimits = { 'chat.postMessage': SLACK_RATE_LIMITS['chat.postMessage'] };
  const slack = await startFakeSlack({ users, channels, rateLimits });
  const mistral = await startFakeMistral({
    apiKey: API_KEY,
    agents: [{ id: AGENT, name: 'Load Agent' }],
    responder: pacedAgent(agentMsOf(plans)),
  }).catch(async (error: unknown) => {
    await slack.close();
    throw error;
  });
  return { slack, mistral };
}

interface BotRun {
  bot?: BotProcess;
  redis?: RedisServer;
  probe?: RedisProbe;
  tracker?: CallTracker;
}

async function closeRun(run: BotRun, fakes: Fakes): Promise<void> {
  run.tracker?.stop();
  await run.bot?.stop();
  await run.probe?.close();
  await run.redis?.stop();
  await fakes.slack.close();
  await fakes.mistral.close();
}

/** The bots `BENCH_LOAD_BOTS` names (comma-separated), in the usual order; all by default. */
function botsToRun(): readonly BotKind[] {
  const named = process.env.BENCH_LOAD_BOTS?.split(',').map((name) => name.trim());
  if (named === undefined || named.join('') === '') return BOT_ORDER;
  const unknown = named.filter((name) => !BOT_ORDER.includes(name as BotKind));
  if (unknown.length > 0)
    throw new Error(`BENCH_LOAD_BOTS: ${unknown.join(', ')} not one of ${BOT_ORDER.join(', ')}`);
  return BOT_ORDER.filter((kind) => named.includes(kind));
}

function progressLine(kind: BotKind, figures: LevelFigures): string {
  const final = summarize(figures.final);
  const rate = answersPerSecond(figures) ?? 0;
  const { agentMs } = figures.plan;
  const ideal = idealPerSecond(figures);
  return (
    `  ${BOT_LABELS[kind]}, ${levelName(figures.plan)}: ${figures.check.exactlyOnce}/${figures.sent} answered once, ` +
    `final p50 ${ms(final.p50)} (${ratio(final.p50 / agentMs)} the agent's ${agentMs / 1000} s), ` +
    `${rate.toFixed(1)} answers/s (${ratio(rate / ideal)} ideal), level took ${(figures.elapsedMs / 1000).toFixed(1)} s`
  );
}

type Fakes = Awaited<ReturnType<typeof startFakes>>;

/** Starts the bot (and, for a Redis bot, its redis-server) against the fakes. */
async function startRun(kind: BotKind, fakes: Fakes, run: BotRun): Promise<LevelRig> {
  if (usesRedis(kind)) {
    run.redis = await startRedisServer();
    run.probe = createRedisProbe(run.redis.url);
  }
  run.bot = await startBot(kind, {
    mistralUrl: fakes.mistral.url,
    mistralApiKey: API_KEY,
    agentId: AGENT,
    slackApiUrl: fakes.slack.apiUrl,
    slackBotToken: fakes.slack.botToken,
    slackSigningSecret: fakes.slack.signingSecret,
    ...(run.redis === undefined ? {} : { redisUrl: run.redis.url }),
  });
  run.tracker = new CallTracker(fakes.slack);
  const { slack } = fakes;
  const { bot, tracker, probe } = run;
  return { slack, tracker, bot, ...(probe === undefined ? {} : { redis: probe }) };
}

const LOG_KINDS_SHOWN = 3;

/** What the bot logged (at warn and up): the distinct messages and how often, a few at most. */
function logSummary(output: string): string | undefined {
  const counts = new Map<string, number>();
  for (const line of output.split('\n').filter((text) => text.trim() !== '')) {
    let message = line.slice(0, 120);
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null && 'msg' in parsed)
        message = String(parsed.msg);
    } catch {
      // Not a JSON log line: kept as written.
    }
    counts.set(message, (counts.get(message) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  const shown = [...counts].slice(0, LOG_KINDS_SHOWN).map(([msg, n]) => `"${msg}" ×${n}`);
  return `${shown.join(', ')}${counts.size > LOG_KINDS_SHOWN ? ', …' : ''}`;
}

/** Starts one bot against fresh fakes, warms it up, runs every level, and tears it all down. */
async function measureBot(kind: BotKind, plans: readonly LevelPlan[]): Promise<LevelFigures[]> {
  const warmUp = warmUpPlan();
  const fakes = await startFakes([warmUp, ...plans]);
  const run: BotRun = {};
  const forget = onInterrupt(() => closeRun(run, fakes));
  try {
    const rig = await startRun(kind, fakes, run);
    const warmed = await measureLevel(rig, warmUp);
    printProblems(kind, warmed);
    if (warmed.check.exactlyOnce === 0)
      throw new Error(`warm-up got no answers:\n${rig.bot.output()}`);
    const levels: LevelFigures[] = [];
    for (const plan of plans) {
      const figures = await measureLevel(rig, plan);
      console.log(progressLine(kind, figures));
      printProblems(kind, figures);
      levels.push(figures);
    }
    const logged = logSummary(rig.bot.output());
    if (logged !== undefined) console.log(`  ${BOT_LABELS[kind]} logged: ${logged}`);
    return levels;
  } finally {
    forget();
    await closeRun(run, fakes);
  }
}

/** Other work on the machine skews every figure: say how busy it was. */
function machineLine(): string {
  const [oneMinute = 0] = loadavg();
  return `  machine: ${availableParallelism()} cores, load average ${oneMinute.toFixed(2)} (1 min)`;
}

/**
 * Measures one bot at every level, pools the figures into what earlier rounds measured, and
 * keeps each round's apart too.
 */
async function measureInto(
  results: LevelResults[],
  rounds: RoundResults[],
  kind: BotKind,
  plans: readonly LevelPlan[],
): Promise<void> {
  try {
    const levels = await measureBot(kind, plans);
    levels.forEach((figures, index) => {
      const level = results[index];
      const byRound = rounds[index];
      if (level === undefined || byRound === undefined) return;
      const earlier = level[kind];
      level[kind] = earlier === undefined ? figures : poolFigures(earlier, figures);
      byRound[kind] = [...(byRound[kind] ?? []), figures];
    });
  } catch (error) {
    console.log(
      `  ! ${BOT_LABELS[kind]} not measured: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** `BENCH_LOAD_ROUNDS` (default 2): how many times every bot runs every level. */
function roundsToRun(): number {
  const rounds = Number(process.env.BENCH_LOAD_ROUNDS ?? DEFAULT_ROUNDS);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10)
    throw new Error('BENCH_LOAD_ROUNDS: a whole number from 1 to 10');
  return rounds;
}

/** The load section of `npm run bench`. */
export async function runLoad(): Promise<void> {
  const started = Date.now();
  const plans = levelSizes(process.env.BENCH_LOAD_LEVELS ?? DEFAULT_LEVELS).map(planFor);
  console.log(
    `Closed-loop load through the fake Slack: a mention opens a thread, each answer (~600 chars, streamed, first token after a quarter of the agent's time: ~0.5 s of ~${AGENT_ANSWER_MS / 1000} s unless the level says) is followed by the next question.`,
  );
  console.log(machineLine());
  await buildParley();
  const results: LevelResults[] = plans.map(() => ({}));
  const byRound: RoundResults[] = plans.map(() => ({}));
  const rounds = roundsToRun();
  for (let round = 0; round < rounds; round += 1) {
    if (rounds > 1) console.log(`  round ${round + 1} of ${rounds}`);
    // Every other round runs the bots in reverse: a machine that drifts weighs on each alike.
    const bots = round % 2 === 0 ? botsToRun() : [...botsToRun()].reverse();
    for (const kind of bots) await measureInto(results, byRound, kind, plans);
  }
  results.forEach((level, index) => {
    printLevelTable(level);
    printHeadlines(level);
    printRoundRatios(byRound[index] ?? {});
    printBreakdowns(level);
  });
  for (const note of NOTES) console.log(`  note: ${note}`);
  console.log(`\nload section took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
