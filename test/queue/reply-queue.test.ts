import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../src/agent/agent-client.js';
import { createDispatcher } from '../../src/core/dispatcher.js';
import type { Acknowledgement, ReplyPort, Submission } from '../../src/core/replies.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPrometheusMetrics } from '../../src/metrics/metrics.js';
import { createWorkQueue, type QueueSettings } from '../../src/queue/reply-queue.js';
import { createWorkRunner, type WorkRunner } from '../../src/queue/work-runner.js';
import { createRedisConversationStore } from '../../src/store/redis-store.js';
import { createRedisWorkState } from '../../src/store/redis-work-state.js';
import type { ConversationStore } from '../../src/store/store.js';
import { redisUrl, uniqueKeyPrefix } from '../setup/redis.js';
import { gate } from '../support/gate.js';
import { recordingSink } from '../support/recording-sink.js';
import { lastText, scriptedAgent } from '../support/scripted-agent.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function settings(prefix: string): QueueSettings {
  return {
    redisUrl: redisUrl(),
    prefix: prefix.replaceAll(':', '-'),
    lockMs: 30_000,
    concurrency: 1_000,
    playConcurrency: 10,
    agentCallsPerSecond: undefined,
  };
}

function submission(thread: string, text: string, id = randomUUID()): Submission {
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

interface Seen {
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
function startWorker(prefix: string, agent: AgentClient, port: ReplyPort): WorkRunner {
  const store = openStore(prefix);
  const work = createRedisWorkState({ url: redisUrl(), keyPrefix: prefix, logger: silentLogger });
  const dispatcher = createDispatcher({
    store,
    agent,
    defaultAgentId: 'ag:q:1',
    logger: silentLogger,
    metrics: createPrometheusMetrics(),
  });
  const runner = createWorkRunner(settings(prefix), {
    dispatcher,
    ports: () => port,
    work,
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

function setUp(options: { acknowledge?: () => Promise<Acknowledgement> } = {}) {
  const prefix = uniqueKeyPrefix();
  const seen: Seen = { replies: [], notices: [], acknowledged: [] };
  const port = recordingPort(seen, options.acknowledge);
  const queue = createWorkQueue(settings(prefix), {
    store: openStore(prefix),
    ports: () => port,
    logger: silentLogger,
  });
  closers.push(() => queue.close());
  const agent = scriptedAgent((request) => ({ chunks: [`re: ${lastText(request)}`] }));
  return { prefix, queue, seen, agent, port };
}

describe('the work queue', () => {
  it('answers each thread in order and a redelivered message once', async () => {
    const { prefix, queue, seen, agent, port } = setUp();
    startWorker(prefix, agent.client, port);
    const thread = randomUUID();
    const messages = ['one', 'two', 'three', 'four'].map((text) => submission(thread, text));

    for (const message of messages) await queue.submit(message);
    const [first] = messages;
    if (first) await queue.submit(first);
    await waitUntil(() => seen.replies.length >= 4);

    expect(seen.replies.map((reply) => reply.answer)).toEqual([
      're: one',
      're: two',
      're: three',
      're: four',
    ]);
    expect(agent.calls).toHaveLength(4);
  });

  it('appends a follow-up that arrives mid-answer only once that answer is recorded', async () => {
    const { prefix, queue, seen, port } = setUp();
    const held = gate();
    const agent = scriptedAgent(async (request, call) => {
      if (call === 1) await held.until;
      return { chunks: [`re: ${lastText(request)}`] };
    });
    startWorker(prefix, agent.client, port);
    const thread = randomUUID();

    await queue.submit(submission(thread, 'one'));
    await waitUntil(() => agent.calls.length === 1);
    await queue.submit(submission(thread, 'two'));
    held.open();
    await waitUntil(() => seen.replies.length >= 2);

    expect(agent.calls[1]?.messages.map((message) => message.text)).toEqual([
      'one',
      're: one',
      'two',
    ]);
  });

  it('answers a follow-up at once after a message delivered three times (no hole in the order)', async () => {
    const { prefix, queue, seen, agent, port } = setUp();
    startWorker(prefix, agent.client, port);
    const thread = randomUUID();
    const mention = submission(thread, 'mention');

    await Promise.all([queue.submit(mention), queue.submit(mention), queue.submit(mention)]);
    await queue.submit(submission(thread, 'follow-up'));
    await waitUntil(() => seen.replies.length >= 2);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: mention', 're: follow-up']);
    expect(seen.acknowledged).toEqual(['mention', 'follow-up']);
  });

  it('shows a sign of life for every message before any worker takes it', async () => {
    const { queue, seen } = setUp();
    const threads = Array.from({ length: 20 }, () => randomUUID());

    await Promise.all(threads.map((thread) => queue.submit(submission(thread, thread))));

    expect(new Set(seen.acknowledged)).toEqual(new Set(threads));
  });

  it('takes a message whose queueing failed as new on redelivery, and lets the thread go on', async () => {
    let isBroken = true;
    const { prefix, queue, seen, agent, port } = setUp({
      acknowledge: async () => {
        if (isBroken) throw new Error('platform down');
        return { kind: 'none' };
      },
    });
    startWorker(prefix, agent.client, port);
    const thread = randomUUID();
    const first = submission(thread, 'first');

    await expect(queue.submit(first)).rejects.toThrow('platform down');
    isBroken = false;
    await queue.submit(first);
    await queue.submit(submission(thread, 'second'));
    await waitUntil(() => seen.replies.length >= 2);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: first', 're: second']);
  });

  it('holds a thousand answers in flight in one worker', async () => {
    const { prefix, queue, seen, port } = setUp();
    const held = gate();
    const agent = scriptedAgent(async (request) => {
      await held.until;
      return { chunks: [`re: ${lastText(request)}`] };
    });
    startWorker(prefix, agent.client, port);

    const count = 1_000;
    for (let index = 0; index < count; index += 1)
      await queue.submit(submission(randomUUID(), `m${index}`));
    await waitUntil(() => agent.calls.length >= count, 30_000);
    held.open();
    await waitUntil(() => seen.replies.length >= count, 30_000);

    expect(agent.calls).toHaveLength(count);
  }, 90_000);

  it('hands answers under way to another worker on shutdown, without telling anyone to resend', async () => {
    const { prefix, queue, seen, port } = setUp();
    const stuck = scriptedAgent(() => new Promise(() => {}));
    const leaving = startWorker(prefix, stuck.client, port);
    const thread = randomUUID();

    await queue.submit(submission(thread, 'first'));
    await queue.submit(submission(thread, 'second'));
    await waitUntil(() => stuck.calls.length >= 1);
    await leaving.close(0);
    const agent = scriptedAgent((request) => ({ chunks: [`re: ${lastText(request)}`] }));
    startWorker(prefix, agent.client, port);
    await waitUntil(() => seen.replies.length >= 2);

    expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: first', 're: second']);
    expect(seen.notices).toEqual([]);
  });

  it('holds the whole queue back when the agent answers 429', async () => {
    const { prefix, queue, agent, port } = setUp();
    const runner = startWorker(prefix, agent.client, port);

    runner.rateLimit(60_000);
    await waitUntil(async () => (await queue.rateLimitTtl()) > 0);

    expect(await queue.rateLimitTtl()).toBeGreaterThan(0);
    runner.rateLimit(0);
  });
});

async function waitUntil(
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
