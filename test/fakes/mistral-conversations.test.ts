import { Mistral } from '@mistralai/mistralai';
import type {
  ConversationEvents,
  ConversationInputs,
  ConversationStreamRequest,
} from '@mistralai/mistralai/models/components';
import { MistralError } from '@mistralai/mistralai/models/errors';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mistralFor } from '../support/sdk-clients.js';
import { type FakeMistral, type ScriptStep, startFakeMistral } from './mistral/fake-mistral.js';

const AGENT = 'ag_0683a1b2c3d4e5f60718293a4b5c6d7e';
const ANALYST = { id: 'ag_analyst', name: 'Analyst' };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

let fake: FakeMistral;

const sdk = (): Mistral => mistralFor(fake);

type EventData = ConversationEvents['data'];
type StartOptions = Partial<ConversationStreamRequest>;

/** Streams through the real SDK, keeping what arrived even when the stream breaks. */
async function streamed(
  inputs: ConversationInputs,
  options: StartOptions = {},
): Promise<{ events: EventData[]; names: string[]; error?: unknown }> {
  const stream = await sdk().beta.conversations.startStream({
    agentId: AGENT,
    inputs,
    store: false,
    ...options,
  });
  const result: { events: EventData[]; names: string[]; error?: unknown } = {
    events: [],
    names: [],
  };
  try {
    for await (const event of stream) {
      result.events.push(event.data);
      result.names.push(event.event);
    }
  } catch (error) {
    result.error = error;
  }
  return result;
}

async function script(...steps: ScriptStep[]): Promise<EventData[]> {
  fake.enqueue({ kind: 'script', steps });
  return (await streamed('go')).events;
}

function ofType<T extends EventData['type']>(
  events: EventData[],
  type: T,
): Extract<EventData, { type: T }>[] {
  return events.filter((event): event is Extract<EventData, { type: T }> => event.type === type);
}

function textOf(events: EventData[]): string {
  return ofType(events, 'message.output.delta')
    .map((event) => (typeof event.content === 'string' ? event.content : ''))
    .join('');
}

async function failure(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error = await call.then(
    () => new Error('expected the call to fail'),
    (reason: unknown) => reason,
  );
  if (!(error instanceof MistralError)) throw error;
  return { status: error.statusCode, body: JSON.parse(error.body) as unknown };
}

function post(body: unknown, path = '/v1/conversations'): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const USER = { role: 'user' as const, content: 'What is the weather in Paris?' };
const CALL = {
  type: 'function.call' as const,
  toolCallId: 'Wx7kP2mQz',
  name: 'get_weather',
  arguments: '{"city":"Paris"}',
};
const RESULT = {
  type: 'function.result' as const,
  toolCallId: 'Wx7kP2mQz',
  result: '{"celsius":21}',
};

beforeAll(async () => {
  fake = await startFakeMistral({ agents: [{ id: AGENT, name: 'Planner' }, ANALYST] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('fake Mistral conversations, streamed through the real SDK', () => {
  it('streams a reply as message deltas between response.started and response.done', async () => {
    fake.enqueue({ kind: 'reply', text: 'Bonjour tout le monde', chunkSize: 5 });

    const { events, names } = await streamed('hello');

    expect(names).toEqual(events.map((event) => event.type));
    expect(events[0]).toMatchObject({
      type: 'conversation.response.started',
      conversationId: expect.stringMatching(/^conv_/),
    });
    expect(textOf(events)).toBe('Bonjour tout le monde');
    expect(ofType(events, 'message.output.delta')[0]).toMatchObject({
      agentId: AGENT,
      id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      outputIndex: 0,
      contentIndex: 0,
      role: 'assistant',
    });
    expect(events.at(-1)).toMatchObject({
      type: 'conversation.response.done',
      usage: { totalTokens: expect.any(Number) },
    });
    expect(fake.completions).toMatchObject([
      {
        endpoint: 'conversations',
        agentId: AGENT,
        stream: true,
        inputs: 'hello',
        messages: [{ role: 'user', content: 'hello' }],
      },
    ]);
  });

  it('echoes the last user input by default and sends chunk objects when asked', async () => {
    expect(textOf((await streamed('hello there')).events)).toBe('echo: hello there');

    fake.enqueue({ kind: 'reply', text: 'in pieces', contentAsChunks: true, chunkSize: 3 });
    const deltas = ofType((await streamed('x')).events, 'message.output.delta');

    expect(deltas.map((event) => event.content)).toEqual(
      ['in ', 'pie', 'ces'].map((text) => ({ type: 'text', text })),
    );
  });

  it('plays code interpreter as tool.execution started, delta and done, with what Mistral reports', async () => {
    const events = await script(
      { tool: 'code_interpreter', arguments: '{"code": "21 * 2"}', info: { code_output: '42\n' } },
      { text: 'It is 42.', chunkSize: 20 },
    );

    expect(events.map((event) => event.type)).toEqual([
      'conversation.response.started',
      'tool.execution.started',
      'tool.execution.delta',
      'tool.execution.done',
      'message.output.delta',
      'conversation.response.done',
    ]);
    const [started] = ofType(events, 'tool.execution.started');
    expect(started).toMatchObject({
      name: 'code_interpreter',
      arguments: '',
      outputIndex: 0,
      id: expect.stringMatching(/^tool_exec_/),
    });
    expect(ofType(events, 'tool.execution.delta')[0]?.arguments).toBe('{"code": "21 * 2"}');
    expect(ofType(events, 'tool.execution.done')[0]?.info).toEqual({
      result: [{ type: 'text', text: '42\n' }],
      code: '21 * 2',
      code_output: '42\n',
    });
    expect(ofType(events, 'message.output.delta')[0]?.outputIndex).toBe(1);
    expect(ofType(events, 'conversation.response.done')[0]?.usage.connectors).toEqual({
      code_interpreter: 1,
    });
  });

  it('keeps a tool running until its gate opens: started arrives, done waits', async () => {
    let open = (): void => undefined;
    const until = new Promise<void>((resolve) => {
      open = resolve;
    });
    fake.enqueue({
      kind: 'script',
      steps: [{ tool: 'web_search', arguments: '{"query":"q"}', until }, { text: 'found' }],
    });
    const stream = await sdk().beta.conversations.startStream({
      agentId: AGENT,
      inputs: 'search',
      store: false,
    });
    const seen: string[] = [];

    const reading = (async () => {
      for await (const event of stream) seen.push(event.data.type);
    })();
    await vi.waitFor(() => expect(seen).toContain('tool.execution.delta'));
    const whileRunning = [...seen];
    open();
    await reading;

    expect(whileRunning).not.toContain('tool.execution.done');
    expect(seen.slice(-3)).toEqual([
      'tool.execution.done',
      'message.output.delta',
      'conversation.response.done',
    ]);
  });

  it('cites a web search result as a tool_reference chunk between text chunks', async () => {
    const events = await script(
      { tool: 'web_search', arguments: '{"query": "Paris weather"}' },
      { text: 'Sunny' },
      { reference: { title: 'Météo Paris', url: 'https://meteo.example/paris' } },
      { text: ' today.' },
    );

    const deltas = ofType(events, 'message.output.delta');
    expect(deltas.map((event) => [event.contentIndex, event.content])).toEqual([
      [0, 'Sunny'],
      [
        1,
        {
          type: 'tool_reference',
          tool: 'web_search',
          title: 'Météo Paris',
          url: 'https://meteo.example/paris',
        },
      ],
      [2, ' today.'],
    ]);
  });

  it('stores a connector file and sends it as a tool_file chunk the files API serves', async () => {
    const events = await script(
      { text: 'Here is the plot:' },
      { file: { name: 'plot_0.png', type: 'png', bytes: PNG } },
    );

    const chunk = ofType(events, 'message.output.delta').at(-1)?.content;
    expect(chunk).toMatchObject({
      type: 'tool_file',
      tool: 'code_interpreter',
      fileName: 'plot_0.png',
      fileType: 'png',
    });
    const fileId = typeof chunk === 'object' && 'fileId' in chunk ? chunk.fileId : '';
    expect(fake.files.get(fileId)).toMatchObject({
      name: 'plot_0.png',
      mimeType: 'image/png',
      bytes: PNG,
    });
    const download = await sdk().files.download({ fileId });
    expect(new Uint8Array(await new Response(download).arrayBuffer())).toEqual(PNG);
  });

  it('hands off to another agent, whose id later messages carry', async () => {
    const events = await script(
      { text: 'Passing you on.' },
      { handoff: { toAgentId: ANALYST.id, toAgentName: ANALYST.name } },
      { text: 'Analyst here.' },
    );

    expect(ofType(events, 'agent.handoff.started')[0]).toMatchObject({
      previousAgentId: AGENT,
      previousAgentName: 'Planner',
      outputIndex: 1,
    });
    expect(ofType(events, 'agent.handoff.done')[0]).toMatchObject({
      nextAgentId: ANALYST.id,
      nextAgentName: ANALYST.name,
    });
    expect(ofType(events, 'message.output.delta').map((event) => event.agentId)).toEqual([
      AGENT,
      AGENT,
      ANALYST.id,
      ANALYST.id,
    ]);
  });

  it('ends the answer at a function call, which the next request answers with its result', async () => {
    const events = await script(
      {
        functionCall: {
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
          toolCallId: CALL.toolCallId,
        },
      },
      { text: 'never sent' },
    );

    expect(events.map((event) => event.type)).toEqual([
      'conversation.response.started',
      'function.call.delta',
      'conversation.response.done',
    ]);
    expect(ofType(events, 'function.call.delta')[0]).toMatchObject({
      name: 'get_weather',
      toolCallId: CALL.toolCallId,
      arguments: '{"city":"Paris"}',
    });

    fake.enqueue({ kind: 'reply', text: 'It is 21 °C in Paris.' });
    const second = await streamed([USER, CALL, RESULT]);

    expect(textOf(second.events)).toBe('It is 21 °C in Paris.');
    expect(fake.completions[1]?.messages).toEqual([
      USER,
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: CALL.toolCallId,
            type: 'function',
            function: { name: 'get_weather', arguments: CALL.arguments },
          },
        ],
      },
      { role: 'tool', content: RESULT.result, tool_call_id: CALL.toolCallId },
    ]);
  });

  it('makes up a nine-character tool call id when the script gives none', async () => {
    const [call] = ofType(
      await script({ functionCall: { name: 'f', arguments: '{}' } }),
      'function.call.delta',
    );

    expect(call?.toolCallId).toMatch(/^[a-zA-Z0-9]{9}$/);
  });

  it('ends the stream with conversation.response.error and no done', async () => {
    const events = await script(
      { text: 'Working' },
      { error: { message: 'Tool execution failed', code: 3000 } },
    );

    expect(events.at(-1)).toMatchObject({
      type: 'conversation.response.error',
      message: 'Tool execution failed',
      code: 3000,
    });
    expect(ofType(events, 'conversation.response.done')).toEqual([]);
  });
});

describe('fake Mistral conversations, not streamed', () => {
  it('answers a script with the outputs entries Mistral returns', async () => {
    fake.enqueue({
      kind: 'script',
      steps: [
        { tool: 'code_interpreter', arguments: '{"code": "1 + 1"}', info: { code_output: '2\n' } },
        { text: 'Two. ' },
        { reference: { title: 'Arithmetic', url: 'https://math.example' } },
        { handoff: { toAgentId: ANALYST.id, toAgentName: ANALYST.name } },
        { text: 'Checked.' },
        { functionCall: { name: 'log', arguments: '{}', toolCallId: 'Ab3dE6gH9' } },
      ],
    });

    const response = await sdk().beta.conversations.start({
      agentId: AGENT,
      inputs: 'add',
      store: false,
    });

    expect(response.conversationId).toMatch(/^conv_/);
    expect(response.outputs.map((entry) => entry.type)).toEqual([
      'tool.execution',
      'message.output',
      'agent.handoff',
      'message.output',
      'function.call',
    ]);
    expect(response.outputs[0]).toMatchObject({
      name: 'code_interpreter',
      arguments: '{"code": "1 + 1"}',
      info: { code: '1 + 1', code_output: '2\n' },
    });
    expect(response.outputs[1]).toMatchObject({
      agentId: AGENT,
      content: [
        { type: 'text', text: 'Two. ' },
        { type: 'tool_reference', tool: 'web_search', title: 'Arithmetic' },
      ],
    });
    expect(response.outputs[2]).toMatchObject({ previousAgentId: AGENT, nextAgentId: ANALYST.id });
    expect(response.outputs[3]).toMatchObject({ agentId: ANALYST.id, content: 'Checked.' });
    expect(response.outputs[4]).toMatchObject({
      toolCallId: 'Ab3dE6gH9',
      name: 'log',
      arguments: '{}',
    });
    expect(response.usage.connectors).toEqual({ code_interpreter: 1 });
    expect(fake.completions[0]?.stream).toBe(false);
  });

  it('answers a reply as one message.output, and an error step with an error status', async () => {
    fake.enqueue(
      { kind: 'reply', text: 'all at once' },
      { kind: 'script', steps: [{ error: { message: 'Upstream down', code: 503 } }] },
    );

    const response = await sdk().beta.conversations.start({ agentId: AGENT, inputs: 'hi' });
    const error = await failure(sdk().beta.conversations.start({ agentId: AGENT, inputs: 'hi' }));

    expect(response.outputs).toMatchObject([
      { type: 'message.output', content: 'all at once', role: 'assistant' },
    ]);
    expect(error).toMatchObject({ status: 503, body: { message: 'Upstream down' } });
  });

  it('runs a conversation on a model instead of an agent', async () => {
    const response = await sdk().beta.conversations.start({
      model: 'mistral-medium-latest',
      inputs: 'hi',
    });

    expect(response.outputs[0]).toMatchObject({
      content: 'echo: hi',
      model: 'mistral-medium-latest',
    });
    expect(fake.completions[0]).toMatchObject({ agentId: '', model: 'mistral-medium-latest' });
  });
});

describe('fake Mistral conversations, failing on purpose', () => {
  it('sends Retry-After with a 429 and still records the request', async () => {
    fake.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 7 });

    const call = sdk().beta.conversations.startStream({ agentId: AGENT, inputs: 'hi' });
    const error = await call.catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(MistralError);
    expect((error as MistralError).headers.get('retry-after')).toBe('7');
    expect(fake.completions).toHaveLength(1);
  });

  it('cuts a stream before response.done', async () => {
    fake.enqueue({ kind: 'cut', text: 'This answer will be cut short', afterChars: 10 });

    const { events } = await streamed('hi');

    expect(ofType(events, 'conversation.response.done')).toEqual([]);
    expect(textOf(events)).toBe('This answe');
  });

  it('sends a malformed event the SDK cannot parse', async () => {
    fake.enqueue({ kind: 'malformed', textBefore: 'ok so far' });

    const result = await streamed('hi');

    expect(result.error).toBeInstanceOf(Error);
    expect(textOf(result.events)).toBe('ok so far');
  });

  it('holds a gated answer, and closes cleanly while one hangs', async () => {
    const own = await startFakeMistral({ agents: [{ id: AGENT, name: 'Hanging' }] });
    const client = new Mistral({
      apiKey: own.apiKey,
      serverURL: own.url,
      retryConfig: { strategy: 'none' },
    });
    let open = (): void => undefined;
    own.enqueue(
      {
        kind: 'gate',
        until: new Promise<void>((resolve) => {
          open = resolve;
        }),
        next: { kind: 'reply', text: 'late' },
      },
      { kind: 'hang' },
    );
    const gated = client.beta.conversations.start({ agentId: AGENT, inputs: 'hi' });
    await vi.waitFor(() => expect(own.completions).toHaveLength(1));
    open();
    expect((await gated).outputs[0]).toMatchObject({ content: 'late' });
    const pending = client.beta.conversations
      .start({ agentId: AGENT, inputs: 'hi' })
      .catch((reason: unknown) => reason);
    await vi.waitFor(() => expect(own.completions).toHaveLength(2));

    await own.close();

    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('fake Mistral conversations, accepting the inputs Mistral accepts', () => {
  it('takes chunked content (text, data and http images, documents, tool files) and past entries', async () => {
    const fileId = fake.addFile({ name: 'report.pdf', bytes: PNG });
    const content = [
      { type: 'text' as const, text: 'Compare these' },
      { type: 'image_url' as const, imageUrl: 'data:image/png;base64,iVBORw0KGgo=' },
      { type: 'image_url' as const, imageUrl: { url: 'https://images.example/cat.jpg' } },
      { type: 'document_url' as const, documentUrl: 'https://docs.example/a.pdf' },
      { type: 'tool_file' as const, tool: 'code_interpreter', fileId },
    ];
    const history = [
      { role: 'user' as const, content: 'Plot it' },
      {
        type: 'tool.execution' as const,
        name: 'code_interpreter',
        arguments: '{"code": "plot()"}',
      },
      { type: 'message.output' as const, role: 'assistant' as const, content: 'Done.' },
      {
        type: 'agent.handoff' as const,
        previousAgentId: AGENT,
        previousAgentName: 'Planner',
        nextAgentId: ANALYST.id,
        nextAgentName: ANALYST.name,
      },
    ];

    await sdk().beta.conversations.start({
      agentId: AGENT,
      inputs: [...history, { role: 'user', content }],
    });

    expect(fake.rejected).toEqual([]);
    expect(fake.completions[0]?.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'user',
    ]);
  });
});

describe('fake Mistral conversations, refusing what Mistral refuses', () => {
  it('refuses an unknown agent with 404', async () => {
    const error = await failure(
      sdk().beta.conversations.startStream({ agentId: 'ag_nobody', inputs: 'hi' }),
    );

    expect(error).toMatchObject({
      status: 404,
      body: { message: 'Agent with id ag_nobody not found' },
    });
    expect(fake.completions).toEqual([]);
  });

  it.each([
    ['both an agent and a model', { agentId: AGENT, model: 'mistral-medium-latest' }],
    ['neither an agent nor a model', {}],
  ])('refuses %s with 422', async (_name, target) => {
    const error = await failure(sdk().beta.conversations.start({ inputs: 'hi', ...target }));

    expect(error).toMatchObject({
      status: 422,
      body: { message: { detail: [{ type: 'value_error', loc: ['body'] }] } },
    });
  });

  it('refuses a model it does not serve with 400 invalid_model', async () => {
    const error = await failure(sdk().beta.conversations.start({ model: 'gpt-4o', inputs: 'hi' }));

    expect(error).toMatchObject({
      status: 400,
      body: { message: 'Invalid model: gpt-4o', type: 'invalid_model' },
    });
  });

  it('refuses a function result whose call is not in the inputs (store: false keeps none)', async () => {
    const inputs = [USER, RESULT];

    const error = await failure(
      sdk().beta.conversations.startStream({ agentId: AGENT, inputs, store: false }),
    );

    expect(error).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining(RESULT.toolCallId) },
    });
    expect(fake.completions).toEqual([]);
  });

  it.each([
    [
      'inputs ending with the assistant',
      [USER, { role: 'assistant' as const, content: 'Sunny.' }],
      'but got assistant',
    ],
    ['inputs ending with an unanswered call', [USER, CALL], 'but got assistant'],
    [
      'a user message before the call is answered',
      [USER, CALL, USER, RESULT],
      'Not the same number of function calls and responses',
    ],
    ['empty inputs', [], 'Conversation must have at least one message'],
  ])('refuses %s with 400', async (_name, inputs, message) => {
    const error = await failure(
      sdk().beta.conversations.start({ agentId: AGENT, inputs, store: false }),
    );

    expect(error).toMatchObject({
      status: 400,
      body: { object: 'error', message: expect.stringContaining(message) },
    });
  });

  it('refuses an image that is neither an http(s) URL nor a base64 data URL with 422', async () => {
    const content = [{ type: 'image_url' as const, imageUrl: 'file:///etc/passwd' }];

    const error = await failure(
      sdk().beta.conversations.start({ agentId: AGENT, inputs: [{ role: 'user', content }] }),
    );

    expect(error).toMatchObject({
      status: 422,
      body: {
        message: {
          detail: [
            { loc: ['body', 'inputs', 0, 'message.input', 'content', 0, 'image_url', 'image_url'] },
          ],
        },
      },
    });
  });

  // The SDK refuses these itself before sending, so they go over plain HTTP.
  it.each([
    ['no inputs', { agent_id: AGENT }, 'missing', ['body', 'inputs']],
    [
      'messages in place of inputs',
      { agent_id: AGENT, inputs: 'hi', messages: [USER] },
      'extra_forbidden',
      ['body', 'messages'],
    ],
    [
      'a non-boolean store',
      { agent_id: AGENT, inputs: 'hi', store: 'no' },
      'bool_type',
      ['body', 'store'],
    ],
    [
      'an unknown entry type',
      { agent_id: AGENT, inputs: [{ type: 'message.robot' }] },
      'union_tag_invalid',
      ['body', 'inputs', 0],
    ],
    [
      'a result without its text',
      { agent_id: AGENT, inputs: [{ type: 'function.result', tool_call_id: 'a' }] },
      'missing',
      ['body', 'inputs', 0, 'function.result', 'result'],
    ],
    [
      'a role Mistral does not take',
      { agent_id: AGENT, inputs: [{ role: 'system', content: 'x' }] },
      'enum',
      ['body', 'inputs', 0, 'message.input', 'role'],
    ],
  ])('refuses %s with 422', async (_name, body, type, loc) => {
    const response = await post(body);

    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      object: 'error',
      message: { detail: [{ type, loc }] },
    });
    expect(fake.completions).toEqual([]);
    expect(fake.rejected).toMatchObject([{ status: 422, path: '/v1/conversations' }]);
  });

  it('refuses a malformed JSON body with 400 and a missing key with 401', async () => {
    const malformed = await fetch(`${fake.url}/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}` },
      body: '{"inputs": ',
    });
    const keyless = await fetch(`${fake.url}/v1/conversations`, { method: 'POST', body: '{}' });

    expect([malformed.status, keyless.status]).toEqual([400, 401]);
  });
});

describe('fake Mistral files, through the real SDK', () => {
  it('uploads, describes and downloads a file', async () => {
    const uploaded = await sdk().files.upload({
      file: { fileName: 'scan.png', content: PNG },
      purpose: 'ocr',
    });
    const described = await sdk().files.retrieve({ fileId: uploaded.id });
    const download = await sdk().files.download({ fileId: uploaded.id });

    expect(uploaded).toMatchObject({
      filename: 'scan.png',
      purpose: 'ocr',
      sizeBytes: PNG.byteLength,
      mimetype: 'image/png',
      source: 'upload',
    });
    expect(described).toMatchObject({ id: uploaded.id, filename: 'scan.png', deleted: false });
    expect(new Uint8Array(await new Response(download).arrayBuffer())).toEqual(PNG);
    expect(fake.files.get(uploaded.id)).toMatchObject({
      name: 'scan.png',
      purpose: 'ocr',
      bytes: PNG,
      mimeType: 'image/png',
    });
  });

  it('deletes a file with its signed URLs, and refuses to delete it twice', async () => {
    const fileId = fake.addFile({ name: 'report.pdf', text: '%PDF-1.4 tiny' });
    const { url } = await sdk().files.getSignedUrl({ fileId, expiry: 1 });

    const deleted = await sdk().files.delete({ fileId });
    const again = await sdk()
      .files.delete({ fileId })
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    expect(deleted).toEqual({ id: fileId, object: 'file', deleted: true });
    expect(fake.files.has(fileId)).toBe(false);
    expect(fake.deletedFiles.get(fileId)).toMatchObject({ name: 'report.pdf' });
    expect(again).toMatchObject({ statusCode: 404 });
    expect(fake.signedFileId(url)).toBeUndefined();
    expect((await fetch(url)).status).not.toBe(200);
  });

  it('signs a URL of its own that serves the bytes without the key', async () => {
    const fileId = fake.addFile({ name: 'notes.txt', text: 'hello file' });

    const { url } = await sdk().files.getSignedUrl({ fileId, expiry: 1 });
    const fetched = await fetch(url);
    const forged = await fetch(url.replace(/[0-9a-f]$/, (digit) => (digit === '0' ? '1' : '0')));

    expect(fake.signedFileId(url)).toBe(fileId);
    expect([fetched.status, await fetched.text()]).toEqual([200, 'hello file']);
    expect(forged.status).toBe(403);
    expect(fake.signedFileId(forged.url)).toBeUndefined();
    expect(fake.signedFileId('https://example.com/signed/abc')).toBeUndefined();
  });

  it('refuses a signed URL once it has expired', async () => {
    let now = Date.UTC(2026, 0, 1);
    const own = await startFakeMistral({ now: () => now });
    const client = new Mistral({ apiKey: own.apiKey, serverURL: own.url });
    const fileId = own.addFile({ name: 'a.csv', text: 'x,y' });
    const { url } = await client.files.getSignedUrl({ fileId, expiry: 2 });

    now += 2 * 60 * 60 * 1000;
    const expired = await fetch(url);
    await own.close();

    expect(expired.status).toBe(403);
    expect(own.signedFileId(url)).toBeUndefined();
  });

  it('answers 404 for a file it does not hold, on every file route', async () => {
    const fileId = '00000000-0000-4000-8000-000000000000';

    const statuses = await Promise.all([
      failure(sdk().files.retrieve({ fileId })),
      failure(sdk().files.download({ fileId })),
      failure(sdk().files.getSignedUrl({ fileId })),
    ]);

    expect(statuses.map((error) => error.status)).toEqual([404, 404, 404]);
  });

  it.each([
    ['an expiry over 168 hours', 169, 'less_than_equal'],
    ['an expiry under an hour', 0, 'greater_than_equal'],
  ])('refuses %s with 422', async (_name, expiry, type) => {
    const fileId = fake.addFile({ name: 'a.txt', text: 'a' });

    const error = await failure(sdk().files.getSignedUrl({ fileId, expiry }));

    expect(error).toMatchObject({
      status: 422,
      body: { message: { detail: [{ type, loc: ['query', 'expiry'] }] } },
    });
  });

  it('refuses an unknown purpose with 422 and a fine-tuning file that is not .jsonl with 400', async () => {
    const purpose = await failure(
      sdk().files.upload({ file: { fileName: 'a.png', content: PNG }, purpose: 'art' as 'ocr' }),
    );
    const fineTune = await failure(
      sdk().files.upload({ file: { fileName: 'a.png', content: PNG }, purpose: 'fine-tune' }),
    );

    expect(purpose).toMatchObject({
      status: 422,
      body: { message: { detail: [{ type: 'enum', loc: ['body', 'purpose'] }] } },
    });
    expect(fineTune.status).toBe(400);
  });

  it('refuses an upload without a file with 422, and any file route without the key', async () => {
    const form = new FormData();
    form.append('purpose', 'ocr');
    const fileless = await fetch(`${fake.url}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}` },
      body: form,
    });
    const keyless = await fetch(
      `${fake.url}/v1/files/${fake.addFile({ name: 'a.txt', text: 'a' })}/content`,
    );

    expect(fileless.status).toBe(422);
    expect(await fileless.json()).toMatchObject({
      message: { detail: [{ type: 'missing', loc: ['body', 'file'] }] },
    });
    expect(keyless.status).toBe(401);
  });
});
