import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/core/dispatcher.js';
import type { ReplyPort, Submission } from '../../src/core/replies.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPrometheusMetrics } from '../../src/metrics/metrics.js';
import {
  createWorkQueue,
  createWorkRunner,
  type QueueSettings,
} from '../../src/queue/reply-queue.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import { createRedisWorkState } from '../../src/store/redis-work-state.js';
import { redisUrl, uniqueKeyPrefix } from '../setup/redis.js';
import { recordingSink } from '../support/recording-sink.js';
import { scriptedAgent } from '../support/scripted-agent.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function settings(prefix: string): QueueSettings {
  return {
    redisUrl: redisUrl(),
    prefix,
    lockMs: 30_000,
    concurrency: 4,
    agentCallsPerSecond: undefined,
  };
}

function submission(thread: string, text: string): Submission {
  const id = randomUUID();
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

function setUp() {
  const prefix = uniqueKeyPrefix();
  const work = createRedisWorkState({ url: redisUrl(), keyPrefix: prefix, logger: silentLogger });
  const queue = createWorkQueue(settings(prefix.replaceAll(':', '-')), work, silentLogger);
  const store = createMemoryConversationStore({
    limits: { maxMessages: 50, maxChars: 10_000, ttlMs: 60_000 },
  });
  const agent = scriptedAgent((request) => ({
    chunks: [`re: ${request.messages.at(-1)?.text ?? ''}`],
  }));
  const dispatcher = createDispatcher({
    store,
    agent: agent.client,
    defaultAgentId: 'ag:q:1',
    logger: silentLogger,
    metrics: createPrometheusMetrics(),
  });
  const replies: { text: string; answer: string }[] = [];
  const port: ReplyPort = {
    platform: 'console',
    sink(target) {
      const recorded = recordingSink();
      return {
        ...recorded.sink,
        finish: async () =>
          void replies.push({ text: target.address.text ?? '', answer: recorded.text }),
      };
    },
    context: async () => [],
    postedAfter: async () => [],
    targetFor: (thread) => ({ platform: 'console', address: { thread: thread.thread } }),
    say: async () => {},
  };
  const runner = createWorkRunner(settings(prefix.replaceAll(':', '-')), {
    dispatcher,
    ports: () => port,
    work,
    logger: silentLogger,
    drivePlay: async () => {},
  });
  closers.push(
    () => work.close(),
    () => queue.close(),
    () => runner.close(1_000),
  );
  return { queue, runner, replies, agent };
}

describe('the work queue', () => {
  it('answers each thread in order and a redelivered message once', async () => {
    const { queue, replies } = setUp();
    const thread = randomUUID();
    const messages = ['one', 'two', 'three', 'four'].map((text) => submission(thread, text));

    for (const message of messages) await queue.submit(message);
    const [first] = messages;
    if (first) await queue.submit(first);
    await waitUntil(() => replies.length >= 4);

    expect(replies.map((reply) => reply.text)).toEqual(['one', 'two', 'three', 'four']);
    expect(replies.map((reply) => reply.answer)).toEqual([
      're: one',
      're: two',
      're: three',
      're: four',
    ]);
  });

  it('holds the whole queue back when the agent answers 429', async () => {
    const { queue, runner } = setUp();

    runner.rateLimit(60_000);
    await waitUntil(async () => (await queue.rateLimitTtl()) > 0);

    expect(await queue.rateLimitTtl()).toBeGreaterThan(0);
    runner.rateLimit(0);
  });
});

async function waitUntil(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 400; tries += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition never held');
}
