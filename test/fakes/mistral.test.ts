import { Mistral } from '@mistralai/mistralai';
import { MistralError } from '@mistralai/mistralai/models/errors';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeMistral, startFakeMistral } from './mistral/fake-mistral.js';

const AGENT = 'ag:3996db2b:20240805:fake-test:a8997aab';

let fake: FakeMistral;

function sdk(apiKey = fake.apiKey): Mistral {
  return new Mistral({ apiKey, serverURL: fake.url, retryConfig: { strategy: 'none' } });
}

type Messages = Parameters<Mistral['agents']['stream']>[0]['messages'];

interface Streamed {
  text: string;
  finishReasons: string[];
  sawUsage: boolean;
  /** What broke the stream after it had started, if anything. */
  error?: unknown;
}

/** Streams through the real SDK, keeping what arrived even when the stream breaks. */
async function streamed(messages: Messages, agentId = AGENT): Promise<Streamed> {
  const events = await sdk().agents.stream({ agentId, messages });
  const result: Streamed = { text: '', finishReasons: [], sawUsage: false };
  try {
    for await (const event of events) {
      const choice = event.data.choices[0];
      result.text += textOf(choice?.delta.content);
      if (choice?.finishReason) result.finishReasons.push(choice.finishReason);
      if (event.data.usage !== undefined) result.sawUsage = true;
    }
  } catch (error) {
    result.error = error;
  }
  return result;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((chunk: { text?: unknown }) => (typeof chunk.text === 'string' ? chunk.text : ''))
    .join('');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (reason: unknown) => reason,
  );
}

async function httpFailure(promise: Promise<unknown>): Promise<MistralError> {
  const error = await rejection(promise);
  if (!(error instanceof MistralError)) {
    throw new Error(`expected a MistralError, got ${String(error)}`);
  }
  return error;
}

function post(
  body: string,
  apiKey = fake.apiKey,
  path = '/v1/agents/completions',
): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body,
  });
}

const hello = [{ role: 'user' as const, content: 'hello there' }];

beforeAll(async () => {
  fake = await startFakeMistral({ agents: [{ id: AGENT, name: 'Fake Test Agent' }] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('fake Mistral, as the real SDK sees it', () => {
  it('streams a reply in chunks that ends with finish_reason stop and usage', async () => {
    fake.enqueue({ kind: 'reply', text: 'Bonjour tout le monde', chunkSize: 4 });

    const result = await streamed(hello);

    expect(result).toEqual({
      text: 'Bonjour tout le monde',
      finishReasons: ['stop'],
      sawUsage: true,
    });
    expect(fake.completions).toMatchObject([{ agentId: AGENT, stream: true, messages: hello }]);
  });

  it('echoes the last user message by default', async () => {
    expect((await streamed(hello)).text).toBe('echo: hello there');
  });

  it('sends content as chunk lists when asked', async () => {
    fake.enqueue({ kind: 'reply', text: 'in pieces', contentAsChunks: true, chunkSize: 3 });

    expect((await streamed(hello)).text).toBe('in pieces');
  });

  it('answers a complete call with a chat.completion', async () => {
    fake.enqueue({ kind: 'reply', text: 'all at once' });

    const response = await sdk().agents.complete({ agentId: AGENT, messages: hello });

    expect(response.choices[0]?.message?.content).toBe('all at once');
    expect(response.choices[0]?.finishReason).toBe('stop');
    expect(response.usage.totalTokens).toBeGreaterThan(0);
    expect(fake.completions[0]?.stream).toBe(false);
  });

  it('describes a known agent whose id holds colons', async () => {
    const agent = await sdk().beta.agents.get({ agentId: AGENT });

    expect(agent).toMatchObject({ id: AGENT, name: 'Fake Test Agent', object: 'agent' });
  });

  it('lists models', async () => {
    const models = await sdk().models.list();

    expect(models.data?.length).toBeGreaterThan(0);
  });

  it('uses queued behaviours first, then the responder', async () => {
    fake.enqueue({ kind: 'reply', text: 'first' });
    fake.setResponder((request) => ({ kind: 'reply', text: `heard ${request.messages.length}` }));

    const texts = [(await streamed(hello)).text, (await streamed(hello)).text];

    expect(texts).toEqual(['first', 'heard 1']);
    expect(fake.completions).toHaveLength(2);
  });

  it('plays a script of text steps as a reply, and records the endpoint', async () => {
    fake.enqueue({ kind: 'script', steps: [{ text: 'one, ' }, { text: 'two' }] });

    expect((await streamed(hello)).text).toBe('one, two');
    expect(fake.completions[0]?.endpoint).toBe('completions');
  });

  it('answers 500 to a script step that only conversations can carry', async () => {
    fake.enqueue({ kind: 'script', steps: [{ tool: 'web_search' }] });

    const error = await httpFailure(sdk().agents.complete({ agentId: AGENT, messages: hello }));

    expect(error.statusCode).toBe(500);
  });

  it('accepts an assistant last message that is a prefix', async () => {
    const messages = [...hello, { role: 'assistant' as const, content: 'Sure,', prefix: true }];

    await streamed(messages);

    expect(fake.completions[0]?.messages.at(-1)).toEqual({
      role: 'assistant',
      content: 'Sure,',
      prefix: true,
    });
  });
});

describe('fake Mistral, refusing what the service refuses', () => {
  it('refuses a wrong key with 401 Unauthorized', async () => {
    const error = await httpFailure(
      sdk('not-the-key').agents.stream({ agentId: AGENT, messages: hello }),
    );

    expect(error.statusCode).toBe(401);
    expect(JSON.parse(error.body)).toMatchObject({ message: 'Unauthorized' });
    expect(fake.completions).toHaveLength(0);
    expect(fake.rejected).toMatchObject([{ status: 401, path: '/v1/agents/completions' }]);
  });

  it('refuses a request without a key', async () => {
    const response = await fetch(`${fake.url}/v1/models`);

    expect(response.status).toBe(401);
  });

  it('refuses an unknown agent with 404, for completions and lookups', async () => {
    const completion = await httpFailure(
      sdk().agents.complete({ agentId: 'ag:nobody:1', messages: hello }),
    );
    const lookup = await httpFailure(sdk().beta.agents.get({ agentId: 'ag:nobody:1' }));

    expect([completion.statusCode, lookup.statusCode]).toEqual([404, 404]);
    expect(fake.completions).toHaveLength(0);
  });

  it('refuses a conversation ending with the assistant with 400', async () => {
    const messages = [...hello, { role: 'assistant' as const, content: 'hi' }];

    const error = await httpFailure(sdk().agents.stream({ agentId: AGENT, messages }));

    expect(error.statusCode).toBe(400);
    expect(JSON.parse(error.body)).toMatchObject({
      object: 'error',
      message:
        'Expected last role User or Tool (or Assistant with prefix True) for serving but got assistant',
    });
  });

  it('refuses a body without agent_id with 422', async () => {
    const response = await post(JSON.stringify({ messages: hello }));

    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      message: { detail: [{ type: 'missing', loc: ['body', 'agent_id'] }] },
    });
  });

  it.each([
    ['no messages', { agent_id: AGENT }, 422],
    ['an empty conversation', { agent_id: AGENT, messages: [] }, 400],
    ['an unknown role', { agent_id: AGENT, messages: [{ role: 'robot', content: 'x' }] }, 422],
    [
      'content that is a number',
      { agent_id: AGENT, messages: [{ role: 'user', content: 42 }] },
      422,
    ],
    ['a non-boolean stream', { agent_id: AGENT, messages: hello, stream: 'yes' }, 422],
  ])('refuses %s', async (_name, body, status) => {
    const response = await post(JSON.stringify(body));

    expect(response.status).toBe(status);
    expect(fake.rejected).toHaveLength(1);
    expect(fake.completions).toHaveLength(0);
  });

  it('refuses a malformed JSON body with 400', async () => {
    expect((await post('{"agent_id": ')).status).toBe(400);
  });

  it('answers 404 on paths it does not serve', async () => {
    const response = await fetch(`${fake.url}/v1/chat/nothing`, {
      headers: { authorization: `Bearer ${fake.apiKey}` },
    });

    expect(response.status).toBe(404);
  });
});

describe('fake Mistral, failing on purpose', () => {
  it('sends Retry-After with a 429 and still records the request', async () => {
    fake.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 7 });

    const error = await httpFailure(sdk().agents.stream({ agentId: AGENT, messages: hello }));

    expect(error.statusCode).toBe(429);
    expect(error.headers.get('retry-after')).toBe('7');
    expect(fake.completions).toHaveLength(1);
  });

  it('cuts a stream without a finish reason', async () => {
    fake.enqueue({ kind: 'cut', text: 'This answer will be cut short', afterChars: 10 });

    const result = await streamed(hello);

    expect(result.finishReasons).toEqual([]);
    expect(result.text).toBe('This answer will be cut short'.slice(0, result.text.length));
    expect(result.text.length).toBeLessThanOrEqual(10);
  });

  it('sends a malformed chunk that the SDK cannot parse', async () => {
    fake.enqueue({ kind: 'malformed', textBefore: 'ok so far' });

    const result = await streamed(hello);

    expect(result.error).toBeInstanceOf(Error);
    expect(result.finishReasons).toEqual([]);
  });

  it('closes cleanly while a request hangs', async () => {
    const own = await startFakeMistral({ agents: [{ id: AGENT, name: 'Hanging' }] });
    own.enqueue({ kind: 'hang' });
    const client = new Mistral({
      apiKey: own.apiKey,
      serverURL: own.url,
      retryConfig: { strategy: 'none' },
    });
    const pending = rejection(client.agents.complete({ agentId: AGENT, messages: hello }));
    await vi.waitFor(() => expect(own.completions).toHaveLength(1));

    await own.close();

    expect(await pending).toBeInstanceOf(Error);
  });
});
