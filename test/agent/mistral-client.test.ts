import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../src/agent/agent-client.js';
import { createMistralAgentClient } from '../../src/agent/mistral-client.js';
import { ParleyError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { assistantLine, userMessage } from '../support/messages.js';

const AGENT = 'ag:3996db2b:20240805:french-agent:a8997aab';

let fake: FakeMistral;

function client(
  overrides: { apiKey?: string; timeoutMs?: number; retryBudgetMs?: number } = {},
): AgentClient {
  return createMistralAgentClient(
    {
      apiKey: overrides.apiKey ?? fake.apiKey,
      serverUrl: fake.url,
      defaultAgentId: AGENT,
      timeoutMs: overrides.timeoutMs ?? 10_000,
      retryBudgetMs: overrides.retryBudgetMs ?? 5_000,
    },
    { logger: silentLogger, retryPolicy: { baseDelayMs: 1, maxDelayMs: 5 } },
  );
}

async function collect(agent: AgentClient, agentId = AGENT, text = 'bonjour'): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of agent.stream({
    agentId,
    messages: [userMessage(text)],
    isShared: false,
  })) {
    if (chunk.kind === 'text') chunks.push(chunk.text);
  }
  return chunks;
}

async function failureOf(promise: Promise<unknown>): Promise<ParleyError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ParleyError))
    throw new Error(`expected a ParleyError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  fake = await startFakeMistral({ agents: [{ id: AGENT, name: 'French Agent' }] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('Mistral agent client', () => {
  it('calls the Conversations API with the history as inputs and nothing stored', async () => {
    fake.enqueue({ kind: 'reply', text: 'oui' });

    await collect(client());

    expect(fake.completions[0]).toMatchObject({ endpoint: 'conversations', agentId: AGENT });
    expect(fake.completions[0]?.body).toMatchObject({
      agent_id: AGENT,
      store: false,
      stream: true,
      inputs: [{ type: 'message.input', role: 'user', content: 'bonjour' }],
    });
  });

  it('maps conversation.response.error onto the error taxonomy, after the text so far', async () => {
    fake.enqueue(
      { kind: 'script', steps: [{ text: 'Je ' }, { error: { message: 'overloaded', code: 503 } }] },
      { kind: 'script', steps: [{ error: { message: 'slow down', code: 429 } }] },
    );

    const received: string[] = [];
    const unavailable = await failureOf(
      (async () => {
        for await (const event of client().stream({
          agentId: AGENT,
          messages: [userMessage('x')],
          isShared: false,
        }))
          if (event.kind === 'text') received.push(event.text);
      })(),
    );
    const limited = await failureOf(collect(client()));

    expect(received).toEqual(['Je ']);
    expect(unavailable.code).toBe('AGENT_UNAVAILABLE');
    expect(limited.code).toBe('AGENT_RATE_LIMITED');
  });

  it('streams the answer in several chunks', async () => {
    fake.enqueue({ kind: 'reply', text: 'Bonjour, comment allez-vous ?', chunkSize: 5 });

    const chunks = await collect(client());

    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe('Bonjour, comment allez-vous ?');
    expect(fake.completions[0]).toMatchObject({ agentId: AGENT, stream: true });
  });

  it('reads content sent as chunk lists', async () => {
    fake.enqueue({ kind: 'reply', text: 'in pieces', contentAsChunks: true });

    expect((await collect(client())).join('')).toBe('in pieces');
  });

  it('sends merged lines ending with the user', async () => {
    const messages = [userMessage('a'), userMessage('b'), assistantLine('c'), userMessage('d')];

    for await (const _ of client().stream({ agentId: AGENT, messages, isShared: false })) {
      // drain
    }

    expect(fake.completions[0]?.messages).toEqual([
      { role: 'user', content: 'a\n\nb' },
      { role: 'assistant', content: 'c' },
      { role: 'user', content: 'd' },
    ]);
  });

  it('retries a 429, honouring Retry-After, then answers', async () => {
    fake.enqueue(
      { kind: 'status', status: 429, retryAfterSeconds: 0 },
      { kind: 'reply', text: 'after wait' },
    );

    expect((await collect(client())).join('')).toBe('after wait');
    expect(fake.completions).toHaveLength(2);
  });

  it('surfaces a 429 that outlasts the retry budget as AGENT_RATE_LIMITED', async () => {
    fake.setResponder(() => ({ kind: 'status', status: 429, retryAfterSeconds: 30 }));

    const error = await failureOf(collect(client({ retryBudgetMs: 1_000 })));

    expect(error.code).toBe('AGENT_RATE_LIMITED');
    expect(error.retryAfterSeconds).toBe(30);
    expect(fake.completions).toHaveLength(1);
  });

  it('tells whoever listens how long Mistral asked to wait on a 429 (the queue slows every worker)', async () => {
    fake.setResponder(() => ({ kind: 'status', status: 429, retryAfterSeconds: 30 }));
    const waits: number[] = [];
    const agent = createMistralAgentClient(
      {
        apiKey: fake.apiKey,
        serverUrl: fake.url,
        defaultAgentId: AGENT,
        timeoutMs: 10_000,
        retryBudgetMs: 1_000,
      },
      { logger: silentLogger, onRateLimited: (ms) => waits.push(ms) },
    );

    await failureOf(collect(agent));

    expect(waits).toEqual([30_000]);
  });

  it('retries a 500 and reports AGENT_UNAVAILABLE when it persists', async () => {
    fake.setResponder(() => ({ kind: 'status', status: 500 }));

    const error = await failureOf(collect(client({ retryBudgetMs: 50 })));

    expect(error.code).toBe('AGENT_UNAVAILABLE');
    expect(fake.completions.length).toBeGreaterThan(1);
  });

  it('reports an unknown agent as AGENT_NOT_FOUND without retrying', async () => {
    const error = await failureOf(collect(client(), 'ag:does:not:exist'));

    expect(error.code).toBe('AGENT_NOT_FOUND');
  });

  it('reports a refused key as AGENT_AUTH_FAILED and never shows the key', async () => {
    const key = 'wrong-key-1234567890';

    const error = await failureOf(collect(client({ apiKey: key })));

    expect(error.code).toBe('AGENT_AUTH_FAILED');
    expect(`${error.message} ${String(error.cause)}`).not.toContain(key);
  });

  it('reports a stream cut mid-way as AGENT_STREAM_BROKEN after the partial text', async () => {
    fake.enqueue({ kind: 'cut', text: 'This answer will be cut short', afterChars: 10 });
    const received: string[] = [];

    const error = await failureOf(
      (async () => {
        for await (const chunk of client().stream({
          agentId: AGENT,
          messages: [userMessage('x')],
          isShared: false,
        })) {
          if (chunk.kind === 'text') received.push(chunk.text);
        }
      })(),
    );

    expect(error.code).toBe('AGENT_STREAM_BROKEN');
    expect(received.join('').length).toBeLessThanOrEqual(10);
  });

  it('reports a malformed chunk as AGENT_STREAM_BROKEN', async () => {
    fake.enqueue({ kind: 'malformed', textBefore: 'ok so far' });

    expect((await failureOf(collect(client()))).code).toBe('AGENT_STREAM_BROKEN');
  });

  it('times out an agent that never answers', async () => {
    fake.enqueue({ kind: 'hang' });

    expect((await failureOf(collect(client({ timeoutMs: 1_000 })))).code).toBe('AGENT_TIMEOUT');
  });

  it('falls back to a complete (non-streamed) call when asked not to stream', async () => {
    fake.enqueue({ kind: 'reply', text: 'all at once' });
    const chunks: string[] = [];

    for await (const chunk of client().stream({
      agentId: AGENT,
      messages: [userMessage('x')],
      isShared: false,
      stream: false,
    })) {
      if (chunk.kind === 'text') chunks.push(chunk.text);
    }

    expect(chunks).toEqual(['all at once']);
    expect(fake.completions[0]?.stream).toBe(false);
  });

  it('names agents from GET /v1/agents/{id} with whether their model reads images, cached, and tells an unknown one (404) apart', async () => {
    const agent = client();

    const known = await agent.describe(AGENT);
    const again = await agent.describe(AGENT);
    const unknown = await agent.describe('ag:nobody:1');

    expect(known).toEqual({ id: AGENT, name: 'French Agent', exists: true, vision: true });
    expect(again).toBe(known);
    expect(unknown).toEqual({ id: 'ag:nobody:1', name: undefined, exists: false });
  });
});
