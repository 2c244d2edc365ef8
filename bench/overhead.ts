/**
 * Parley's overhead over a bare Mistral SDK call, measured in one run against the fake
 * Mistral API: the same answers, streamed the same way, with and without the bridge
 * (dedupe, turn, history in Redis or memory, message shaping, the reply sink).
 * Prints ratios and percentiles only; absolute times depend on the machine.
 */
import { Mistral } from '@mistralai/mistralai';
import { createMistralAgentClient } from '../src/agent/mistral-client.js';
import { createDispatcher, type Dispatcher } from '../src/core/dispatcher.js';
import type { IncomingMessage, ReplySink, ThreadRef } from '../src/core/model.js';
import { silentLogger } from '../src/log/logger.js';
import { createPrometheusMetrics } from '../src/metrics/metrics.js';
import { guardStore } from '../src/store/guarded-store.js';
import { createMemoryConversationStore } from '../src/store/memory-store.js';
import { createRedisConversationStore } from '../src/store/redis-store.js';
import type { ConversationStore, HistoryLimits } from '../src/store/store.js';
import { startFakeMistral } from '../test/fakes/mistral/fake-mistral.js';
import { startRedisServer } from '../test/setup/redis-process.js';
import { agentDeltas } from './bot-parts.js';
import { discordLatency, type LatencyFigures, slackLatency } from './platform-latency.js';
import { queueFigures, reportQueue } from './queue.js';
import { ms, ratio, summarize } from './stats.js';

const AGENT = 'ag:bench:agent';
const API_KEY = 'bench-key';
// A typical short chat answer: ~600 characters in ~40 streamed chunks.
const ANSWER = 'Parley benchmarks a typical answer. '.repeat(17);
const CHUNK_SIZE = 15;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const WARMUP = 30;
const CONCURRENCY = 16;
// Each conversation runs this many turns, so history grows as it does in a real thread.
const TURNS_PER_THREAD = 5;
const LIMITS: HistoryLimits = { maxMessages: 50, maxChars: 32_000, ttlMs: 60 * 60 * 1000 };

type Runner = (index: number) => Promise<void>;

const nullSink: ReplySink = {
  start: async () => {},
  append: async () => {},
  activity: async () => {},
  attach: async () => {},
  handOff: async () => {},
  finish: async () => {},
  fail: async (notice) => {
    throw new Error(`bench reply failed: ${notice}`);
  },
};

function incomingFor(run: string, index: number): IncomingMessage {
  const thread: ThreadRef = {
    platform: 'console',
    workspace: 'bench',
    channel: run,
    thread: String(Math.floor(index / TURNS_PER_THREAD)),
  };
  const id = `${run}-${index}`;
  return {
    thread,
    deliveryKey: `bench:${id}`,
    isShared: false,
    message: {
      id,
      role: 'user',
      author: { id: 'U1', name: 'Ada', isBot: false },
      text: `Question number ${index}: how does the bridge behave?`,
      attachments: [],
      at: Date.now(),
    },
  };
}

function dispatcherRunner(dispatcher: Dispatcher, run: string): Runner {
  // Every message is new (warm-up, samples and throughput alike), as on a real platform.
  let sent = 0;
  return async () => {
    sent += 1;
    const outcome = await dispatcher.handle(incomingFor(run, sent), nullSink);
    if (outcome.kind !== 'replied')
      throw new Error(`bench message not answered: ${JSON.stringify(outcome)}`);
  };
}

/** A bare SDK call to the same API Parley calls (the Conversations API), no store. */
function directRunner(sdk: Mistral): Runner {
  return async (index) => {
    const question = `Question number ${index}: how does the bridge behave?`;
    let text = '';
    for await (const delta of agentDeltas(sdk, AGENT, question)) text += delta;
    if (text.length === 0) throw new Error('direct call answered nothing');
  };
}

async function timed(runner: Runner, index: number): Promise<number> {
  const started = performance.now();
  await runner(index);
  return performance.now() - started;
}

/** Runs the runners in turn for each sample (rotating who goes first) so drift hits all alike. */
async function interleaved(runners: readonly Runner[], samples: number): Promise<number[][]> {
  const times = runners.map(() => [] as number[]);
  for (let index = 0; index < samples; index += 1) {
    for (let offset = 0; offset < runners.length; offset += 1) {
      const which = (index + offset) % runners.length;
      const runner = runners[which];
      if (runner) times[which]?.push(await timed(runner, index));
    }
  }
  return times;
}

/** Messages per second with CONCURRENCY conversations in flight at once. */
async function throughput(runner: Runner, messages: number, offset: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < messages) {
      const index = next;
      next += 1;
      await runner(offset + index);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return messages / ((performance.now() - started) / 1000);
}

function makeDispatcher(store: ConversationStore, serverUrl: string): Dispatcher {
  const agent = createMistralAgentClient(
    { apiKey: API_KEY, serverUrl, defaultAgentId: AGENT, timeoutMs: 30_000, retryBudgetMs: 0 },
    { logger: silentLogger },
  );
  return createDispatcher({
    // As in production: a store failure is STORE_UNAVAILABLE, not an unknown error.
    store: guardStore(store),
    agent,
    defaultAgentId: AGENT,
    logger: silentLogger,
    metrics: createPrometheusMetrics(),
  });
}

function report(label: string, direct: readonly number[], bridged: readonly number[]): void {
  const overhead = bridged.map((time, index) => time - (direct[index] ?? time));
  const base = summarize(direct);
  const own = summarize(bridged);
  const extra = summarize(overhead);
  console.log(
    `${label.padEnd(22)} latency p50 ${ratio(own.p50 / base.p50)} of direct, p99 ${ratio(own.p99 / base.p99)}; ` +
      `added per message p50 ${ms(extra.p50)}, p99 ${ms(extra.p99)}`,
  );
}

/** Dispatcher overhead over a bare SDK stream (memory and Redis), then the queue's figures. */
export async function runOverhead(): Promise<void> {
  const fake = await startFakeMistral({
    apiKey: API_KEY,
    agents: [{ id: AGENT, name: 'Bench Agent' }],
    responder: () => ({ kind: 'reply', text: ANSWER, chunkSize: CHUNK_SIZE }),
  });
  const redis = await startRedisServer();
  const memoryStore = createMemoryConversationStore({ limits: LIMITS });
  const redisStore = createRedisConversationStore({
    url: redis.url,
    limits: LIMITS,
    logger: silentLogger,
  });
  try {
    const sdk = new Mistral({
      apiKey: API_KEY,
      serverURL: fake.url,
      retryConfig: { strategy: 'none' },
    });
    const direct = directRunner(sdk);
    const viaMemory = dispatcherRunner(makeDispatcher(memoryStore, fake.url), 'memory');
    const viaRedis = dispatcherRunner(makeDispatcher(redisStore, fake.url), 'redis');
    await interleaved([direct, viaMemory, viaRedis], WARMUP);
    const tripsBefore = redisStore.roundTrips;
    const [directTimes = [], memoryTimes = [], redisTimes = []] = await interleaved(
      [direct, viaMemory, viaRedis],
      SAMPLES,
    );
    const tripsPerMessage = (redisStore.roundTrips - tripsBefore) / SAMPLES;
    console.log(
      `Parley vs a bare SDK stream, ${SAMPLES} interleaved samples each, ${ANSWER.length}-char answers:`,
    );
    report('dispatcher + memory', directTimes, memoryTimes);
    report('dispatcher + Redis', directTimes, redisTimes);
    console.log(`Redis round trips per message: ${tripsPerMessage.toFixed(1)}`);
    const volume = SAMPLES * 2;
    const directRate = await throughput(direct, volume, 1_000_000);
    const redisRate = await throughput(viaRedis, volume, 1_000_000);
    console.log(
      `throughput, ${CONCURRENCY} conversations at once: Parley + Redis ${ratio(redisRate / directRate)} of direct`,
    );
    reportQueue(await queueFigures(redis.url, fake, API_KEY, SAMPLES), SAMPLES);
  } finally {
    await redisStore.close();
    await memoryStore.close();
    await redis.stop();
    await fake.close();
  }
}

function reportPlatform(label: string, figures: LatencyFigures): void {
  const { firstText, complete } = figures;
  console.log(
    `${label.padEnd(9)} message → first streamed text p50 ${ms(firstText.p50)}, p99 ${ms(firstText.p99)}; ` +
      `→ complete answer p50 ${ms(complete.p50)}, p99 ${ms(complete.p99)}`,
  );
}

/** Event → first text and → complete answer through the real Bolt / discord.js stacks. */
export async function runPlatformLatency(): Promise<void> {
  const platformSamples = Math.max(20, Math.floor(SAMPLES / 3));
  console.log(
    `Through the real Bolt / discord.js stacks against the fakes (agent answers at once), ${platformSamples} messages each:`,
  );
  reportPlatform('Slack', await slackLatency(platformSamples));
  reportPlatform('Discord', await discordLatency(platformSamples));
}
