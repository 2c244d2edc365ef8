import { describe, expect, it, vi } from 'vitest';
import type { AgentClient } from '../../src/agent/agent-client.js';
import { createDispatcher } from '../../src/core/dispatcher.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPrometheusMetrics } from '../../src/metrics/metrics.js';
import { guardStore } from '../../src/store/guarded-store.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import type { ConversationStore } from '../../src/store/store.js';
import { gate } from '../support/gate.js';
import { incoming, threadRef, userMessage } from '../support/messages.js';
import { recordingSink } from '../support/recording-sink.js';
import { failure, lastText, scriptedAgent } from '../support/scripted-agent.js';

const LIMITS = { maxMessages: 50, maxChars: 10_000, ttlMs: 60_000 };

function setup(
  agent: Pick<ReturnType<typeof scriptedAgent>, 'client' | 'calls'> = scriptedAgent((request) => ({
    chunks: ['re: ', lastText(request)],
  })),
  store?: ConversationStore,
) {
  const conversations = store ?? createMemoryConversationStore({ limits: LIMITS });
  const metrics = createPrometheusMetrics();
  const dispatcher = createDispatcher({
    store: conversations,
    agent: agent.client,
    defaultAgentId: 'ag:default',
    logger: silentLogger,
    metrics,
  });
  return { dispatcher, store: conversations, agent, metrics };
}

/** An agent whose stream is `stream` (how it meets an abort is the point). */
function answeringWith(stream: AgentClient['stream']) {
  const agent = scriptedAgent(() => new Promise(() => {}));
  const { describe, readFile } = agent.client;
  return { calls: agent.calls, client: { describe, readFile, stream } };
}

describe('dispatcher', () => {
  it('streams the answer into the sink and keeps both lines in the history', async () => {
    const { dispatcher, store } = setup();
    const reply = recordingSink();
    const message = incoming('hello');

    const outcome = await dispatcher.handle(message, reply.sink);

    expect(outcome).toEqual({ kind: 'replied', agentId: 'ag:default', chars: 9 });
    expect(reply.events).toEqual(['start', 'append', 'append', 'finish']);
    expect(reply.text).toBe('re: hello');
    const history = await store.history(message.thread);
    expect(history.map((line) => [line.role, line.text])).toEqual([
      ['user', 'hello'],
      ['assistant', 're: hello'],
    ]);
    expect(history[1]?.author.name).toBe('Agent ag:default');
  });

  it('records the answer only once the platform shows all of it (a retry that finds it recorded skips it)', async () => {
    const { dispatcher, store } = setup();
    const reply = recordingSink();
    const closing = gate();
    let isClosing = false;
    const message = incoming('hello');
    const sink = {
      ...reply.sink,
      finish: async () => {
        isClosing = true;
        await closing.until;
      },
    };

    const handling = dispatcher.handle(message, sink);
    await vi.waitFor(() => expect(isClosing).toBe(true));
    const whileClosing = (await store.history(message.thread)).map((line) => line.text);
    closing.open();
    await handling;

    expect(whileClosing).toEqual(['hello']);
    expect((await store.history(message.thread)).map((line) => line.text)).toEqual([
      'hello',
      're: hello',
    ]);
  });

  it('leaves a message the agent refused for good out of the next call', async () => {
    const agent = scriptedAgent((request, call) =>
      call === 1
        ? { chunks: [], error: failure('AGENT_BAD_REQUEST') }
        : { chunks: [`re: ${lastText(request)}`] },
    );
    const { dispatcher, store } = setup(agent);
    const refused = incoming('a message the API rejects');
    const next = incoming('and then this', refused.thread);

    const first = await dispatcher.handle(refused, recordingSink().sink);
    await dispatcher.handle(next, recordingSink().sink);

    expect(first).toEqual({ kind: 'failed', code: 'AGENT_BAD_REQUEST' });
    expect(agent.calls[1]?.messages.map((message) => message.text)).toEqual(['and then this']);
    expect((await store.history(refused.thread)).map((message) => message.text)).toEqual([
      'and then this',
      're: and then this',
    ]);
  });

  it('keeps a message whose call failed for a passing reason (the agent was unavailable)', async () => {
    const agent = scriptedAgent((request, call) =>
      call === 1
        ? { chunks: [], error: failure('AGENT_UNAVAILABLE') }
        : { chunks: [`re: ${lastText(request)}`] },
    );
    const { dispatcher } = setup(agent);
    const earlier = incoming('asked while Mistral was down');

    await dispatcher.handle(earlier, recordingSink().sink);
    await dispatcher.handle(incoming('still there?', earlier.thread), recordingSink().sink);

    expect(agent.calls[1]?.messages.map((message) => message.text)).toEqual([
      'asked while Mistral was down',
      'still there?',
    ]);
  });

  it('tells the author, above the answer, when their message was cut to the budget', async () => {
    const store = createMemoryConversationStore({ limits: { ...LIMITS, maxChars: 1_000 } });
    const { dispatcher, agent } = setup(undefined, store);
    const reply = recordingSink();
    const message = incoming('x'.repeat(5_000));

    await dispatcher.handle(message, reply.sink);

    expect(reply.text.startsWith('_Your message was longer than this conversation can hold')).toBe(
      true,
    );
    expect(agent.calls[0]?.messages[0]?.text.length).toBeLessThan(1_000);
    const answer = (await store.history(message.thread)).find((line) => line.role === 'assistant');
    expect(answer?.text.startsWith('re: ')).toBe(true);
  });

  it('answers a redelivered message only once', async () => {
    const { dispatcher, agent } = setup();
    const message = incoming('once');

    const outcomes = await Promise.all([
      dispatcher.handle(message, recordingSink().sink),
      dispatcher.handle(message, recordingSink().sink),
    ]);

    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['replied', 'skipped']);
    expect(agent.calls).toHaveLength(1);
  });

  it('answers two messages of one thread in arrival order, the second seeing the first answer', async () => {
    let releaseFirst: () => void = () => {};
    const firstMayFinish = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const agent = scriptedAgent(async (request, call) => {
      if (call === 1) await firstMayFinish;
      return { chunks: [`answer to ${lastText(request)}`] };
    });
    const { dispatcher } = setup(agent);
    const first = incoming('one');
    const second = incoming('two', first.thread);

    const both = Promise.all([
      dispatcher.handle(first, recordingSink().sink),
      dispatcher.handle(second, recordingSink().sink),
    ]);
    releaseFirst();
    await both;

    expect(agent.calls).toHaveLength(2);
    expect(agent.calls[1]?.messages.map((line) => line.text)).toEqual([
      'one',
      'answer to one',
      'two',
    ]);
  });

  it('turns an agent failure into exactly one notice and leaves the history consistent', async () => {
    const agent = scriptedAgent(() => ({ chunks: [], error: failure('AGENT_RATE_LIMITED') }));
    const { dispatcher, store } = setup(agent);
    const reply = recordingSink();
    const message = incoming('hi');

    const outcome = await dispatcher.handle(message, reply.sink);

    expect(outcome).toEqual({ kind: 'failed', code: 'AGENT_RATE_LIMITED' });
    expect(reply.events).toEqual(['start', 'fail']);
    expect(reply.notices).toEqual([expect.stringContaining('more requests than it can take')]);
    expect((await store.history(message.thread)).map((line) => line.role)).toEqual(['user']);
  });

  it('keeps no half answer, nor the cut-off message, when the stream breaks mid-way', async () => {
    const agent = scriptedAgent(() => ({
      chunks: ['partial'],
      error: failure('AGENT_STREAM_BROKEN'),
    }));
    const { dispatcher, store } = setup(agent);
    const reply = recordingSink();
    const message = incoming('hi');

    const outcome = await dispatcher.handle(message, reply.sink);

    expect(outcome).toEqual({ kind: 'failed', code: 'AGENT_STREAM_BROKEN' });
    expect(reply.notices).toHaveLength(1);
    expect(await store.historyLength(message.thread)).toBe(0);
  });

  it('treats an empty answer as a failure, not a blank message', async () => {
    const { dispatcher } = setup(scriptedAgent(() => ({ chunks: ['  '] })));
    const reply = recordingSink();

    const outcome = await dispatcher.handle(incoming('hi'), reply.sink);

    expect(outcome).toEqual({ kind: 'failed', code: 'AGENT_EMPTY_ANSWER' });
    expect(reply.events.filter((event) => event === 'finish')).toEqual([]);
  });

  it('reports a broken store as STORE_UNAVAILABLE without calling the agent', async () => {
    const broken = guardStore({
      ...createMemoryConversationStore({ limits: LIMITS }),
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
    });
    const { dispatcher, agent } = setup(undefined, broken);
    const reply = recordingSink();

    const outcome = await dispatcher.handle(incoming('hi'), reply.sink);

    expect(outcome).toEqual({ kind: 'failed', code: 'STORE_UNAVAILABLE' });
    expect(agent.calls).toHaveLength(0);
    expect(reply.notices).toHaveLength(1);
  });

  it('brings the thread so far to a first mention mid-thread, once', async () => {
    const { dispatcher, agent } = setup();
    const thread = threadRef('mid');
    let loads = 0;
    const loadContext = async () => {
      loads += 1;
      return [userMessage('earlier words', { author: { id: 'U2', name: 'Grace', isBot: false } })];
    };

    await dispatcher.handle(
      incoming('first', thread, { loadContext, isShared: true }),
      recordingSink().sink,
    );
    await dispatcher.handle(
      incoming('second', thread, { loadContext, isShared: true }),
      recordingSink().sink,
    );

    expect(loads).toBe(1);
    expect(agent.calls[0]?.messages.map((line) => line.text)).toEqual(['earlier words', 'first']);
    expect(agent.calls[0]?.isShared).toBe(true);
  });

  it('uses the channel’s agent when one is set', async () => {
    const { dispatcher, store, agent } = setup();
    const message = incoming('hi');
    await store.updateSettings('console:W:C', { agentId: 'ag:other' });

    await dispatcher.handle(message, recordingSink().sink);

    expect(agent.calls[0]?.agentId).toBe('ag:other');
  });

  it('counts messages by outcome in the metrics', async () => {
    const { dispatcher, metrics } = setup();
    const message = incoming('hi');

    await dispatcher.handle(message, recordingSink().sink);
    await dispatcher.handle(message, recordingSink().sink);

    const { body } = await metrics.render();
    expect(body).toContain('parley_messages_handled_total{platform="console",outcome="replied"} 1');
    expect(body).toContain(
      'parley_messages_handled_total{platform="console",outcome="duplicate"} 1',
    );
    expect(body).toContain('parley_agent_latency_seconds_count{phase="first_token"} 1');
  });

  it('drains: lets a reply under way finish, then refuses new work with a notice', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { dispatcher } = setup(
      scriptedAgent(async () => {
        await gate;
        return { chunks: ['done'] };
      }),
    );
    const running = dispatcher.handle(incoming('slow'), recordingSink().sink);

    const drained = dispatcher.drain(60_000);
    const late = recordingSink();
    const refused = await dispatcher.handle(incoming('late', threadRef('other')), late.sink);
    release();
    await drained;

    expect((await running).kind).toBe('replied');
    expect(refused).toEqual({ kind: 'failed', code: 'CANCELLED' });
    expect(late.notices).toHaveLength(1);
  });

  it('cancels a reply still running when the grace period ends', async () => {
    const { dispatcher } = setup(
      answeringWith(async function* (request) {
        await new Promise<void>((_resolve, reject) => {
          request.signal?.addEventListener('abort', () => reject(failure('CANCELLED')));
        });
        yield { kind: 'text', text: '' };
      }),
    );
    const reply = recordingSink();
    const running = dispatcher.handle(incoming('stuck'), reply.sink);

    await dispatcher.drain(0);

    expect(await running).toEqual({ kind: 'failed', code: 'CANCELLED' });
    expect(reply.notices).toEqual([expect.stringContaining('restarting')]);
  });

  it('drains even when a reply ignores the abort, so it cannot hold the process past its deadline', async () => {
    const { dispatcher } = setup(
      answeringWith(async function* () {
        await new Promise<never>(() => {});
        yield { kind: 'text', text: '' };
      }),
    );
    const reply = recordingSink();
    void dispatcher.handle(incoming('deaf to aborts'), reply.sink);
    await vi.waitFor(() => expect(reply.events).toContain('start'));

    await expect(dispatcher.drain(0)).resolves.toBeUndefined();
  });
});
