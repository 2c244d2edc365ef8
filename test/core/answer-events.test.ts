import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/agent-client.js';
import { createDispatcher } from '../../src/core/dispatcher.js';
import { handoffMarker, withHandoffs } from '../../src/core/handoff-sink.js';
import type { ReplyJournal } from '../../src/core/replies.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPrometheusMetrics } from '../../src/metrics/metrics.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import { incoming } from '../support/messages.js';
import { recordingSink } from '../support/recording-sink.js';
import { scriptedAgent } from '../support/scripted-agent.js';

const LIMITS = { maxMessages: 50, maxChars: 10_000, ttlMs: 60_000 };

function setup(chunks: readonly (string | AgentEvent)[]) {
  const agent = scriptedAgent(() => ({ chunks }));
  const store = createMemoryConversationStore({ limits: LIMITS });
  const dispatcher = createDispatcher({
    store,
    agent: agent.client,
    defaultAgentId: 'ag:planner',
    logger: silentLogger,
    metrics: createPrometheusMetrics(),
    personaOf: (agentId, agentName) =>
      agentId === 'ag:analyst'
        ? { name: 'Analyst', avatarUrl: 'https://example.com/analyst.png' }
        : { name: agentName },
  });
  return { agent, store, dispatcher };
}

describe('an answer as events', () => {
  it('shows a tool while it runs and lists each source once under the answer', async () => {
    const { dispatcher, store } = setup([
      { kind: 'tool-started', id: 't1', tool: 'web_search' },
      { kind: 'tool-finished', id: 't1', tool: 'web_search' },
      'Paris has 2.1 million people.',
      { kind: 'source', title: 'INSEE', url: 'https://insee.fr/paris' },
      { kind: 'source', title: 'INSEE again', url: 'https://insee.fr/paris' },
      {
        kind: 'source',
        title: 'Wiki [Paris]',
        url: 'https://en.wikipedia.org/wiki/Paris_(France)',
      },
      { kind: 'done' },
    ]);
    const reply = recordingSink();
    const message = incoming('how many people live in Paris?');

    await dispatcher.handle(message, reply.sink);

    expect(reply.activities).toEqual(['Searching the web…', undefined]);
    expect(reply.text).toBe(
      'Paris has 2.1 million people.\n\n**Sources**\n1. [INSEE](https://insee.fr/paris)\n' +
        '2. [Wiki  Paris](https://en.wikipedia.org/wiki/Paris_%28France%29)',
    );
    const history = await store.history(message.thread);
    // The history keeps the agent's words only.
    expect(history.at(-1)?.text).toBe('Paris has 2.1 million people.');
  });

  it('uploads the files the agent made, and a code run as a small file', async () => {
    const { dispatcher, agent } = setup([
      { kind: 'tool-started', id: 'c1', tool: 'code_interpreter' },
      {
        kind: 'tool-finished',
        id: 'c1',
        tool: 'code_interpreter',
        code: 'print(6*7)',
        output: '42',
      },
      'Here is the plot:',
      { kind: 'file', fileId: 'file-1', name: 'plot.png', mimeType: 'image/png' },
      { kind: 'done' },
    ]);
    agent.files.set('file-1', new Uint8Array([137, 80, 78, 71]));
    const reply = recordingSink();

    await dispatcher.handle(incoming('plot it'), reply.sink);

    expect(reply.activities).toEqual(['Running code…', undefined]);
    expect(reply.files.map((file) => [file.index, file.name, file.mimeType])).toEqual([
      [0, 'code-run-1.md', 'text/markdown'],
      [1, 'plot.png', 'image/png'],
    ]);
    expect(new TextDecoder().decode(reply.files[0]?.bytes)).toContain('print(6*7)');
    expect(new TextDecoder().decode(reply.files[0]?.bytes)).toContain('42');
    expect(reply.files[1]?.bytes).toEqual(new Uint8Array([137, 80, 78, 71]));
  });

  it('numbers code runs on their own, whatever files came before them', async () => {
    const { dispatcher, agent } = setup([
      { kind: 'file', fileId: 'file-1', name: 'cat.png', mimeType: 'image/png' },
      { kind: 'tool-finished', id: 'c1', tool: 'code_interpreter', code: 'print(1)' },
      'Done.',
      { kind: 'done' },
    ]);
    agent.files.set('file-1', new Uint8Array([1]));
    const reply = recordingSink();

    await dispatcher.handle(incoming('draw, then run'), reply.sink);

    expect(reply.files.map((file) => [file.index, file.name])).toEqual([
      [0, 'cat.png'],
      [1, 'code-run-1.md'],
    ]);
  });

  it('takes an image with no words for an answer, and the history keeps its name', async () => {
    const { dispatcher, agent, store } = setup([
      { kind: 'tool-started', id: 'i1', tool: 'image_generation' },
      { kind: 'tool-finished', id: 'i1', tool: 'image_generation' },
      { kind: 'file', fileId: 'file-1', name: 'cat.png', mimeType: 'image/png' },
      { kind: 'done' },
    ]);
    agent.files.set('file-1', new Uint8Array([1]));
    const reply = recordingSink();
    const message = incoming('draw a cat');

    const outcome = await dispatcher.handle(message, reply.sink);

    expect(outcome).toMatchObject({ kind: 'replied' });
    expect(reply.events).not.toContain('fail');
    const history = await store.history(message.thread);
    expect(history.map((line) => [line.role, line.text, line.attachments])).toEqual([
      ['user', 'draw a cat', []],
      ['assistant', '', [{ name: 'cat.png', ref: '' }]],
    ]);
  });

  it('says so in the reply when a file cannot be read, and still answers', async () => {
    const { dispatcher } = setup([
      'Done.',
      { kind: 'file', fileId: 'file-gone', name: 'chart.png' },
      { kind: 'done' },
    ]);
    const reply = recordingSink();

    const outcome = await dispatcher.handle(incoming('chart'), reply.sink);

    expect(outcome.kind).toBe('replied');
    expect(reply.files).toEqual([]);
    expect(reply.text).toContain('could not be shown');
  });

  it('records each agent of a handoff under its own name and shows the next persona', async () => {
    const { dispatcher, store } = setup([
      'Let me ask the analyst.',
      { kind: 'handoff', agentId: 'ag:analyst', agentName: 'analyst-v2' },
      'The numbers say yes.',
      { kind: 'done' },
    ]);
    const reply = recordingSink();
    const message = incoming('should we?');

    await dispatcher.handle(message, reply.sink);

    expect(reply.handoffs).toEqual([
      { name: 'Analyst', avatarUrl: 'https://example.com/analyst.png' },
    ]);
    const answers = (await store.history(message.thread)).filter(
      (line) => line.role === 'assistant',
    );
    expect(answers.map((line) => [line.author.id, line.author.name, line.text])).toEqual([
      ['ag:planner', 'Agent ag:planner', 'Let me ask the analyst.'],
      ['ag:analyst', 'Analyst', 'The numbers say yes.'],
    ]);
  });

  it('tells the person once which tool the agent wanted, and keeps it out of the history', async () => {
    const { dispatcher, store } = setup([
      { kind: 'function-call', name: 'get_weather' },
      { kind: 'function-call', name: 'get_weather' },
      'I cannot check the weather here.',
      { kind: 'done' },
    ]);
    const reply = recordingSink();
    const message = incoming('weather?');

    const outcome = await dispatcher.handle(message, reply.sink);

    expect(outcome.kind).toBe('replied');
    expect(reply.text.match(/get_weather/g)).toHaveLength(1);
    expect((await store.history(message.thread)).at(-1)?.text).toBe(
      'I cannot check the weather here.',
    );
  });
});

/** A reply part that logs what it is asked to do, as `<part>:<what>`. */
function part(log: string[], name: string) {
  const sink = recordingSink();
  return {
    ...sink.sink,
    start: async () => void log.push(`${name}:start`),
    append: async (delta: string) => void log.push(`${name}:${delta}`),
    finish: async () => void log.push(`${name}:finish`),
    attach: async (file: { index: number; name: string }) =>
      void log.push(`${name}:file ${file.name}`),
  };
}

describe('withHandoffs', () => {
  it('ends a part with the marker and goes on under the next persona', async () => {
    const log: string[] = [];
    const sink = withHandoffs(
      () => part(log, 'a'),
      (persona) => part(log, persona?.name ?? 'a'),
    );

    await sink.start();
    await sink.append('one');
    await sink.handOff({ name: 'B' });
    await sink.append('two');
    await sink.finish();

    expect(log).toEqual([
      'a:start',
      'a:one',
      `a:${handoffMarker({ name: 'B' })}`,
      'a:finish',
      'B:start',
      'B:two',
      'B:finish',
    ]);
  });

  it('uploads a file once however often a retried reply replays it', async () => {
    const log: string[] = [];
    const uploaded = new Set<number>([0]);
    const journal: ReplyJournal = {
      posted: [],
      intend: async () => {},
      record: async () => {},
      files: uploaded,
      recordFile: async (index) => void uploaded.add(index),
    };
    const sink = withHandoffs(
      () => part(log, 'a'),
      (persona) => part(log, persona?.name ?? 'a'),
      journal,
    );
    const file = { name: 'x.png', mimeType: 'image/png', bytes: new Uint8Array() };

    await sink.attach({ ...file, index: 0 });
    await sink.attach({ ...file, index: 1 });
    await sink.attach({ ...file, index: 1 });

    expect(log).toEqual(['a:file x.png']);
    expect([...uploaded]).toEqual([0, 1]);
  });

  it('keeps pings and markup out of the marker', () => {
    expect(handoffMarker({ name: '@here *Bob*' })).toBe('\n\n_↪ handed over to here  Bob_');
  });
});

describe('a reply with files in it', () => {
  const file = (index: number, name: string) => ({
    index,
    name,
    mimeType: 'image/png',
    bytes: new Uint8Array(),
  });

  it('goes on below a file, so it reads in the order the agent wrote it', async () => {
    let parts = 0;
    const log: string[] = [];
    const sink = withHandoffs(
      () => part(log, 'p0'),
      (persona) => {
        parts += 1;
        return part(log, persona?.name ?? `p${parts}`);
      },
    );

    await sink.start();
    await sink.append('Here is the cat:');
    await sink.attach(file(0, 'cat.png'));
    await sink.append('\n\n');
    await sink.append('And the plot:');
    await sink.attach(file(1, 'plot.png'));
    await sink.finish();

    expect(log).toEqual([
      'p0:start',
      'p0:Here is the cat:',
      'p0:finish',
      'p0:file cat.png',
      'p1:start',
      'p1:And the plot:',
      'p1:finish',
      'p1:file plot.png',
    ]);
  });

  it('keeps one part when the file comes before any words', async () => {
    const log: string[] = [];
    const sink = withHandoffs(
      () => part(log, 'p0'),
      () => part(log, 'p1'),
    );

    await sink.start();
    await sink.attach(file(0, 'cat.png'));
    await sink.append('A cat.');
    await sink.finish();

    expect(log).toEqual(['p0:start', 'p0:file cat.png', 'p0:A cat.', 'p0:finish']);
  });
});
