/**
 * Dead work taken over: Parley's build as real processes on one redis-server, against the fake
 * Slack and Mistral, with the default lock and lease settings a deployment gets. A process is
 * SIGKILLed mid-answer or mid-play; measured is how long until another one finishes the answer,
 * or goes on with the play, against the 10 s the production path promises (issue #9).
 * `BENCH_RECOVERY_TRIALS` kills per scenario (3 by default).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type FakeMistral, startFakeMistral } from '../test/fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../test/fakes/slack/index.js';
import { type RedisServer, startRedisServer } from '../test/setup/redis-process.js';
import { slackQueueEnv } from '../test/support/parley-process.js';
import { onInterrupt } from './cleanup.js';
import { buildParley, type HealthyChild, startParleyRole } from './load-bots.js';
import { ratio, summarize } from './stats.js';

const MAIN = 'ag:bench:recovery';
const OTHER = 'ag:bench:other';
const API_KEY = 'bench-recovery-key';
const USER = 'U0ALICE';
/** What the production path promises: dead work finished elsewhere within this long. */
const TARGET_MS = 10_000;
// Every wait ends by this ceiling: a trial past it is reported, and the section goes on.
const WAIT_MS = 30_000;
// The fake Mistral has no change events: how often a wait on its calls looks again.
const POLL_MS = 20;
const DEFAULT_TRIALS = 3;
const MOST_TRIALS = 20;
const SLOW_ANSWER = 'a slow answer that streams in many small pieces';
const SLOW_CHUNK_DELAY_MS = 400;
const PLAY_LINES = 4;
const PLAY_SPEAKERS = [MAIN, OTHER, MAIN, MAIN, OTHER].join(' ');

interface Rig {
  readonly slack: FakeSlack;
  readonly mistral: FakeMistral;
  readonly redis: RedisServer;
}

/** One trial: how long the takeover took (undefined: not within the ceiling), and what went wrong. */
interface Trial {
  readonly ms: number | undefined;
  readonly problems: readonly string[];
}

/** One trial's setting: a channel and key prefix of its own, and the processes to stop after. */
interface Stage {
  readonly rig: Rig;
  readonly channel: string;
  readonly env: Record<string, string>;
  readonly started: HealthyChild[];
}

interface Scenario {
  readonly label: string;
  /** What the time is measured until. */
  readonly until: string;
  run(stage: Stage): Promise<Trial>;
}

/** Starts Parley in `role`; kept in the stage so the trial stops it whatever happens. */
async function parley(stage: Stage, role: string): Promise<HealthyChild> {
  const child = await startParleyRole(role, stage.env);
  stage.started.push(child);
  return child;
}

/** Ms until a change on the fake Slack makes `predicate` true; undefined past the ceiling. */
async function msUntil(slack: FakeSlack, predicate: () => boolean): Promise<number | undefined> {
  const from = Date.now();
  return slack.waitFor(predicate, WAIT_MS).then(
    () => Date.now() - from,
    () => undefined,
  );
}

/** Ms until the fake Mistral has had `count` calls in all; undefined past the ceiling. */
async function msUntilCalls(mistral: FakeMistral, count: number): Promise<number | undefined> {
  const from = Date.now();
  while (mistral.completions.length < count) {
    if (Date.now() - from > WAIT_MS) return undefined;
    await delay(POLL_MS);
  }
  return Date.now() - from;
}

/** A process answering a mention is killed mid-stream while another worker runs. */
function answerScenario(label: string, ingress: string, answering: string): Scenario {
  return {
    label,
    until: 'the answer complete',
    async run(stage) {
      const { slack, mistral } = stage.rig;
      const { channel } = stage;
      // The first attempt streams slowly (the kill lands mid-answer); the retry answers at once.
      mistral.setResponder(() => ({
        kind: 'reply',
        text: SLOW_ANSWER,
        chunkSize: 2,
        chunkDelayMs: mistral.completions.length === 1 ? SLOW_CHUNK_DELAY_MS : 0,
      }));
      const web = await parley(stage, ingress);
      const doomed = answering === ingress ? web : await parley(stage, answering);
      const event = slack.userMessage({
        channel,
        user: USER,
        text: `<@${slack.botUserId}> a slow one`,
        mention: true,
      });
      const root = String(event.ts);
      const bots = () => slack.messages(channel, root).filter((message) => message.isBot);
      const finished = () =>
        bots().filter((m) => m.stream !== 'streaming' && m.text === SLOW_ANSWER).length;
      await slack.sendEvent(`${web.baseUrl}/slack/events`, event);
      if ((await msUntil(slack, () => bots().some((m) => m.text !== ''))) === undefined)
        return { ms: undefined, problems: ['no text shown before the kill'] };
      await parley(stage, 'worker');
      await doomed.kill();
      const ms = await msUntil(slack, () => finished() > 0);
      const copies = finished();
      // The slow first attempt and one retry: a third call would be an answer begun twice.
      const calls = mistral.completions.length;
      const problems = [
        ms === undefined ? 'not finished' : '',
        copies > 1 ? `answer posted ${copies} times` : '',
        calls !== 2 ? `${calls} agent calls, not 2` : '',
      ].filter((problem) => problem !== '');
      return { ms, problems };
    },
  };
}

/** A process driving a role-play is killed mid-line; a second one is running. */
const playScenario: Scenario = {
  label: 'process killed mid-role-play (all + all)',
  until: 'the next line begins',
  async run(stage) {
    const { slack, mistral } = stage.rig;
    const { channel } = stage;
    // Every line answers at once but the third, which hangs: the kill lands mid-line.
    mistral.setResponder((request) =>
      mistral.completions.length === 3
        ? { kind: 'hang' }
        : { kind: 'reply', text: `line ${mistral.completions.length} by ${request.agentId}` },
    );
    const first = await parley(stage, 'all');
    await slack.sendSlashCommand(`${first.baseUrl}/slack/events`, {
      command: '/roleplay',
      text: `main other ${PLAY_LINES} "the crash"`,
      user_id: USER,
      channel_id: channel,
    });
    if ((await msUntilCalls(mistral, 3)) === undefined)
      return { ms: undefined, problems: ['the play never reached its third line'] };
    await parley(stage, 'all');
    await first.kill();
    const ms = await msUntilCalls(mistral, 4);
    const root = slack.messages(channel).find((message) => message.isBot)?.ts ?? '';
    const closing = () => slack.messages(channel, root).some((m) => m.text.startsWith('🎬'));
    const ended = await msUntil(slack, closing);
    const lines = slack
      .messages(channel, root)
      .filter((message) => /^line \d by/.test(message.text))
      .map((message) => message.text);
    // Lines 1 and 2, the retake of line 3, then line 4: each speaker in turn, none twice.
    const speakers = mistral.completions.map((call) => call.agentId).join(' ');
    const problems = [
      ms === undefined ? 'the play did not go on' : '',
      speakers !== PLAY_SPEAKERS ? `speakers ${speakers}` : '',
      ended === undefined ? 'no closing line' : '',
      new Set(lines).size !== lines.length ? 'a line shown twice' : '',
      lines.length !== PLAY_LINES ? `${lines.length} of ${PLAY_LINES} lines shown` : '',
    ].filter((problem) => problem !== '');
    return { ms, problems };
  },
};

const SCENARIOS: readonly Scenario[] = [
  answerScenario('worker killed mid-answer (web + worker)', 'web', 'worker'),
  answerScenario('process killed mid-answer (all: what it admitted)', 'all', 'all'),
  playScenario,
];

/** `BENCH_RECOVERY_TRIALS` (default 3): how many kills each scenario gets. */
function trialsToRun(): number {
  const trials = Number(process.env.BENCH_RECOVERY_TRIALS ?? DEFAULT_TRIALS);
  if (!Number.isInteger(trials) || trials < 1 || trials > MOST_TRIALS)
    throw new Error(`BENCH_RECOVERY_TRIALS: a whole number from 1 to ${MOST_TRIALS}`);
  return trials;
}

function stageFor(rig: Rig, scenario: number, trial: number): Stage {
  const channel = `C0RECOVERY${scenario}T${trial}`;
  rig.slack.addChannel({ id: channel, name: `recovery-${scenario}-${trial}` });
  const env = {
    ...slackQueueEnv({
      slack: rig.slack,
      mistral: { url: rig.mistral.url, apiKey: API_KEY },
      agentId: MAIN,
      redisUrl: rig.redis.url,
      prefix: `r${randomUUID().slice(0, 8)}`,
    }),
    AGENTS: `main=${MAIN},other=${OTHER}`,
    ROLEPLAY_PAUSE_MS: '0',
  };
  return { rig, channel, env, started: [] };
}

async function runTrial(scenario: Scenario, stage: Stage): Promise<Trial> {
  try {
    return await scenario.run(stage);
  } catch (error) {
    return { ms: undefined, problems: [error instanceof Error ? error.message : String(error)] };
  } finally {
    await Promise.all(stage.started.map((child) => child.stop()));
    stage.rig.mistral.reset();
  }
}

function reportLine(scenario: Scenario, trials: readonly Trial[]): string {
  const times = trials.flatMap((trial) => (trial.ms === undefined ? [] : [trial.ms]));
  const clean = trials.filter((trial) => trial.ms !== undefined && trial.problems.length === 0);
  const head = `${scenario.label}: ${clean.length}/${trials.length} recovered cleanly`;
  if (times.length === 0) return `${head}; none within ${WAIT_MS / 1000} s`;
  const { p50 } = summarize(times);
  const most = Math.max(...times);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `${head}; kill → ${scenario.until}: p50 ${seconds(p50)} (${ratio(p50 / TARGET_MS)} the 10 s target), ` +
    `max ${seconds(most)} (${ratio(most / TARGET_MS)})`
  );
}

/** The recovery section of `npm run bench`. */
export async function runRecovery(): Promise<void> {
  const started = Date.now();
  const trials = trialsToRun();
  console.log(
    `Dead work taken over: Parley's build as processes on one Redis, default lock and lease; a process SIGKILLed mid-answer or mid-play, ${trials}× each.`,
  );
  await buildParley();
  const redis = await startRedisServer();
  const slack = await startFakeSlack({});
  const mistral = await startFakeMistral({
    apiKey: API_KEY,
    agents: [
      { id: MAIN, name: 'Main' },
      { id: OTHER, name: 'Other' },
    ],
  });
  const rig: Rig = { slack, mistral, redis };
  const close = async () => {
    await Promise.allSettled([slack.close(), mistral.close(), redis.stop()]);
  };
  const forget = onInterrupt(close);
  try {
    for (const [index, scenario] of SCENARIOS.entries()) {
      const results: Trial[] = [];
      for (let trial = 1; trial <= trials; trial += 1)
        results.push(await runTrial(scenario, stageFor(rig, index + 1, trial)));
      console.log(`  ${reportLine(scenario, results)}`);
      for (const [at, result] of results.entries())
        if (result.problems.length > 0)
          console.log(`  ! ${scenario.label}, trial ${at + 1}: ${result.problems.join('; ')}`);
    }
  } finally {
    forget();
    await close();
  }
  console.log(`\nrecovery section took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
