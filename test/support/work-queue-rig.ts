import { randomUUID } from 'node:crypto';
import { afterEach } from 'vitest';
import type { AgentClient } from '../../src/agent/agent-client.js';
import { createDispatcher } from '../../src/core/dispatcher.js';
import type { Acknowledgement, ReplyPort, Submission } from '../../src/core/replies.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPrometheusMetrics } from '../../src/metrics/metrics.js';
import { createWorkQueue, type QueueSettings } from '../../src/queue/reply-queue.js';
import { createWorkRunner, type WorkerDeps, type WorkRunner } from '../../src/queue/work-runner.js';
import { createRedisConversationStore } from '../../src/store/redis-store.js';
import { createRedisWorkState } from '../../src/store/redis-work-state.js';
import type { ConversationStore } from '../../src/store/store.js';
import { redisUrl, uniqueKeyPrefix } from '../setup/redis.js';
import { recordingSink } from './recording-sink.js';
import { lastText, scriptedAgent } from './scripted-agent.js';

/**
 * The work queue in one test process: an ingress queue and workers, each with its own store
 * connection on the test Redis, answering through a recording console port. Closed after each test.
 */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

export function settings(prefix: string, overrides: Partial<QueueSettings> = {}): QueueSettings {
  return {
    redisUrl: redisUrl(),
    prefix: prefix.replaceAll(':', '-'),
    lockMs: 30_000,
    concurrency: 1_000,
    playConcurrency: 10,
    agentCallsPerSecond: undefined,
    ...overrides,
  };
}

export function submission(thread: string, text: string, id = randomUUID()): Submission {
  return {
    incoming: {
      thread: { platform: 'console', workspace: 'queue-test', channel: 'c', thread },
      deliveryKey: `queue-test:${id}`,
      isShared: false,
      message: {
        id,
        role: 'user',
        author: { id: 'U', name: 'Ada', isBot: false },
        text,
        attachments: [],
        at: 1,
      },
    },
    target: { platform: 'console', address: { text } },
    withContext: false,
  };
}

export interface Seen {
  readonly replies: { text: string; answer: string }[];
  readonly notices: string[];
  readonly acknowledged: string[];
}

function recordingPort(seen: Seen, acknowledge?: () => Promise<Acknowledgement>): ReplyPort {
  return {
    platform: 'console',
    sink(target) {
      const recorded = recordingSink();
      return {
        ...recorded.sink,
        finish: async () =>
          void seen.replies.push({ text: target.address.text ?? '', answer: recorded.text }),
        fail: async (notice) => void seen.notices.push(notice),
      };
    },
    readFile: async () => {
      throw new Error('no files here');
    },
    acknowledge:
      acknowledge ??
      (async (target) => {
        seen.acknowledged.push(target.address.text ?? '');
        return { kind: 'status' };
      }),
    context: async () => [],
    postedAfter: async () => [],
    targetFor: (thread) => ({ platform: 'console', address: { thread: thread.thread } }),
    say: async () => {},
  };
}

function openStore(prefix: string): ConversationStore {
  const store = createRedisConversationStore({
    url: redisUrl(),
    limits: { maxMessages: 50, maxChars: 10_000, ttlMs: 60_000 },
    keyPrefix: prefix,
    placeHoldMs: 1_000,
    firstPollMs: 100,
    logger: silentLogger,
  });
  closers.push(() => store.close());
  return store;
}

/** A worker process: its own store connection, dispatcher and runner on the shared Redis. */
function startWorker(
  prefix: string,
  agent: AgentClient,
  port: ReplyPort,
  overrides: Partial<QueueSettings>,
  requeue: WorkerDeps['requeue'],
  store: ConversationStore = openStore(prefix),
): WorkRunner {
  const work = createRedisWorkState({ url: redisUrl(), keyPrefix: prefix, logger: silentLogger });
  const dispatcher = createDispatcher({
    store,
    agent,
    defaultAgentId: 'ag:q:1',
    logger: silentLogger,
    metrics: createPrometheusMetrics(),
  });
  const runner = createWorkRunner(settings(prefix, overrides), {
    dispatcher,
    ports: () => port,
    work,
    requeue,
    logger: silentLogger,
    drivePlay: async () => {},
    handBackPlays: async () => {},
  });
  closers.push(
    () => work.close(),
    () => runner.close(1_000),
  );
  return runner;
}

/**
 * How ingress hands a message on: `queued` for a worker elsewhere (a web process), or `here`:
 * the first worker started shares the ingress's process and answers what it admits at once.
 */
export type Handover = 'queued' | 'here';

export interface RigOptions {
  readonly acknowledge?: () => Promise<Acknowledgement>;
  readonly handover?: Handover;
  readonly settings?: Partial<QueueSettings>;
  /** Wraps the ingress's store (with `here`, the answering worker's too), to watch its calls. */
  readonly wrapStore?: (store: ConversationStore) => ConversationStore;
}

export function setUp(options: RigOptions = {}) {
  const prefix = uniqueKeyPrefix();
  const seen: Seen = { replies: [], notices: [], acknowledged: [] };
  const port = recordingPort(seen, options.acknowledge);
  let local: WorkRunner | undefined;
  const opened = openStore(prefix);
  const store = options.wrapStore?.(opened) ?? opened;
  const queue = createWorkQueue(settings(prefix, options.settings), {
    store,
    ports: () => port,
    logger: silentLogger,
    here: () => local?.here,
  });
  closers.push(() => queue.close());
  const agent = scriptedAgent((request) => ({ chunks: [`re: ${lastText(request)}`] }));
  // As in one process: the worker that answers here shares the ingress's store (one connection).
  const worker = (client: AgentClient): WorkRunner => {
    const isLocal = options.handover === 'here' && local === undefined;
    const overrides = options.settings ?? {};
    const runner = isLocal
      ? startWorker(prefix, client, port, overrides, queue.requeue, store)
      : startWorker(prefix, client, port, overrides, queue.requeue);
    if (isLocal) local = runner;
    return runner;
  };
  return { prefix, queue, store, seen, agent, port, startWorker: worker };
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition never held');
}
