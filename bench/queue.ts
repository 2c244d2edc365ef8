/**
 * Through the BullMQ work queue vs in-process, against the fake Mistral: the queue's added
 * latency per message, and throughput with one worker vs two at a 200 ms agent latency.
 */
import { randomUUID } from 'node:crypto';
import { createMistralAgentClient } from '../src/agent/mistral-client.js';
import { createDispatcher, type Dispatcher } from '../src/core/dispatcher.js';
import type { ReplySink } from '../src/core/model.js';
import {
  createDirectInbox,
  type Inbox,
  type ReplyPort,
  type Submission,
} from '../src/core/replies.js';
import { silentLogger } from '../src/log/logger.js';
import { createPrometheusMetrics } from '../src/metrics/metrics.js';
import { createWorkQueue, type QueueSettings } from '../src/queue/reply-queue.js';
import { createWorkRunner, type WorkRunner } from '../src/queue/work-runner.js';
import { createRedisWorkState } from '../src/store/redis-work-state.js';
import type { ConversationStore } from '../src/store/store.js';
import type { FakeMistral } from '../test/fakes/mistral/fake-mistral.js';
import { createRedisStore } from './redis-store.js';
import { ratio, type Summary, summarize } from './stats.js';

const AGENT = 'ag:bench:agent';
// Messages in flight at once for the one-worker vs two-workers figure (no slot cap in the way).
const THROUGHPUT_MESSAGES = 400;

/** A port whose sinks discard the text and report when each reply finished. */
function timingPort(finished: Map<string, () => void>): ReplyPort {
  return {
    platform: 'console',
    sink(target): ReplySink {
      return {
        start: async () => {},
        append: async () => {},
        activity: async () => {},
        attach: async () => {},
        handOff: async () => {},
        finish: async () => finished.get(target.address.id ?? '')?.(),
        fail: async () => finished.get(target.address.id ?? '')?.(),
      };
    },
    acknowledge: async () => ({ kind: 'none' }),
    context: async () => [],
    readFile: async () => {
      throw new Error('the bench attaches no files');
    },
    postedAfter: async () => [],
    targetFor: (thread) => ({ platform: 'console', address: { thread: thread.thread } }),
    say: async () => {},
  };
}

function submission(run: string, index: number, threads: number): Submission {
  const id = `${run}-${index}`;
  return {
    incoming: {
      thread: {
        platform: 'console',
        workspace: run,
        channel: 'bench',
        thread: String(index % threads),
      },
      deliveryKey: `bench:${id}`,
      isShared: false,
      message: {
        id,
        role: 'user',
        author: { id: 'U', name: 'Ada', isBot: false },
        text: `question ${index}`,
        attachments: [],
        at: Date.now(),
      },
    },
    target: { platform: 'console', address: { id } },
    withContext: false,
  };
}

function dispatcherOver(
  redisUrl: string,
  fake: FakeMistral,
  apiKey: string,
): { dispatcher: Dispatcher; store: ConversationStore; close(): Promise<void> } {
  const store = createRedisStore(redisUrl);
  const agent = createMistralAgentClient(
    { apiKey, serverUrl: fake.url, defaultAgentId: AGENT, timeoutMs: 30_000, retryBudgetMs: 0 },
    { logger: silentLogger },
  );
  const dispatcher = createDispatcher({
    store,
    agent,
    defaultAgentId: AGENT,
    logger: silentLogger,
    metrics: createPrometheusMetrics(),
  });
  return { dispatcher, store, close: () => store.close() };
}

/** One message at a time, alternating in-process and queued: the added latency per message. */
async function interleavedLatency(
  direct: Inbox,
  queued: Inbox,
  finished: Map<string, () => void>,
  count: number,
): Promise<{ direct: number[]; queued: number[] }> {
  const times = { direct: [] as number[], queued: [] as number[] };
  const run = randomUUID();
  for (let index = 0; index < count; index += 1) {
    for (const [name, inbox] of [
      ['direct', direct],
      ['queued', queued],
    ] as const) {
      const item = submission(`${run}-${name}`, index, count);
      const done = new Promise<void>((resolve) =>
        finished.set(item.target.address.id ?? '', resolve),
      );
      const sent = performance.now();
      await inbox.submit(item);
      await done;
      times[name].push(performance.now() - sent);
    }
  }
  return times;
}

/** Submits `count` messages and resolves with each one's time from submit to its reply's end. */
async function drive(
  inbox: Inbox,
  finished: Map<string, () => void>,
  run: string,
  count: number,
  threads: number,
) {
  const started = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const item = submission(run, index, threads);
      const sent = performance.now();
      const done = new Promise<void>((resolve) =>
        finished.set(item.target.address.id ?? '', resolve),
      );
      await inbox.submit(item);
      await done;
      return performance.now() - sent;
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

export interface QueueFigures {
  readonly direct: Summary;
  readonly queued: Summary;
  readonly oneWorker: number;
  readonly twoWorkers: number;
}

export async function queueFigures(
  redisUrl: string,
  fake: FakeMistral,
  apiKey: string,
  samples: number,
): Promise<QueueFigures> {
  const finished = new Map<string, () => void>();
  const port = timingPort(finished);
  const settings: QueueSettings = {
    redisUrl,
    prefix: `bench-${process.pid}`,
    lockMs: 5_000,
    concurrency: 1_000,
    playConcurrency: 10,
    agentCallsPerSecond: undefined,
  };
  const work = createRedisWorkState({ url: redisUrl, logger: silentLogger });
  const parts = [dispatcherOver(redisUrl, fake, apiKey), dispatcherOver(redisUrl, fake, apiKey)];
  const [first, second] = parts;
  if (first === undefined || second === undefined) throw new Error('no dispatchers');
  const queue = createWorkQueue(settings, {
    store: first.store,
    ports: () => port,
    logger: silentLogger,
  });
  const runner = (dispatcher: Dispatcher): WorkRunner =>
    createWorkRunner(settings, {
      dispatcher,
      ports: () => port,
      work,
      requeue: queue.requeue,
      logger: silentLogger,
      drivePlay: async () => {},
      handBackPlays: async () => {},
    });
  try {
    fake.setResponder(() => ({ kind: 'reply', text: 'short answer', chunkSize: 4 }));
    const one = runner(first.dispatcher);
    const latency = await interleavedLatency(
      createDirectInbox(first.dispatcher, () => port),
      queue,
      finished,
      samples,
    );
    fake.setResponder(() => ({
      kind: 'reply',
      text: 'short answer',
      chunkSize: 4,
      firstTokenDelayMs: 200,
    }));
    const volume = THROUGHPUT_MESSAGES;
    const oneRun = await drive(queue, finished, randomUUID(), volume, volume);
    const two = runner(second.dispatcher);
    const twoRun = await drive(queue, finished, randomUUID(), volume, volume);
    await Promise.all([one.close(5_000), two.close(5_000)]);
    return {
      direct: summarize(latency.direct),
      queued: summarize(latency.queued),
      oneWorker: volume / oneRun.seconds,
      twoWorkers: volume / twoRun.seconds,
    };
  } finally {
    await queue.close();
    await work.close();
    await Promise.all(parts.map((part) => part.close()));
  }
}

export function reportQueue(figures: QueueFigures, samples: number): void {
  const { direct, queued } = figures;
  console.log(
    `Through the BullMQ queue vs in-process, ${samples} messages each, one at a time (agent answers at once):`,
  );
  console.log(
    `  submit → reply done p50 ${ratio(queued.p50 / direct.p50)} of in-process, p99 ${ratio(queued.p99 / direct.p99)}; added p50 ${(queued.p50 - direct.p50).toFixed(1)} ms, p99 ${(queued.p99 - direct.p99).toFixed(1)} ms`,
  );
  console.log(
    `  throughput at a 200 ms agent latency, ${THROUGHPUT_MESSAGES} messages at once: 2 workers ${ratio(figures.twoWorkers / figures.oneWorker)} of 1 worker`,
  );
}
