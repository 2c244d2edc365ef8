import type { IncomingMessage, ServerResponse } from 'node:http';
import { entryId, type Speaker } from './conversation-wire.js';
import { type FakeState, playAccepted, refuse } from './fake-state.js';
import { mimeTypeOf, putFile } from './file-store.js';
import { parseJson, readBody } from './http-io.js';
import { conversationDialect } from './play-conversation.js';
import type { CompletionRecord, ScriptFile } from './types.js';
import { checkConversation } from './validate-conversation.js';
import { apiError, FAKE_MODEL, TEXT_ONLY_MODEL } from './wire.js';

export const CONVERSATIONS_PATH = '/v1/conversations';

/** `POST /v1/conversations`: checks the start, records it as a completion would be, then plays. */
export async function answerConversation(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const parsed = parseJson(await readBody(request));
  if (!parsed.ok) {
    return refuse(
      state,
      response,
      CONVERSATIONS_PATH,
      apiError(400, 'Invalid JSON body'),
      'malformed JSON',
    );
  }
  const check = checkConversation(parsed.value, {
    hasAgent: (id) => state.agents.has(id),
    hasModel: (id) => id === FAKE_MODEL || id === TEXT_ONLY_MODEL,
  });
  if (check.kind === 'refused') {
    return refuse(state, response, CONVERSATIONS_PATH, check.reply, check.reason);
  }
  const model = modelOf(state, check.agentId, check.model);
  if (model === TEXT_ONLY_MODEL && hasImage(parsed.value)) {
    const reply = apiError(400, `Image input is not supported for model ${model}`);
    return refuse(state, response, CONVERSATIONS_PATH, reply, 'an image for a text-only model');
  }
  const body = parsed.value as Record<string, unknown>;
  const record: CompletionRecord = {
    endpoint: 'conversations',
    agentId: check.agentId ?? '',
    ...(check.model === undefined ? {} : { model: check.model }),
    messages: check.messages,
    stream: check.stream,
    body,
    inputs: body.inputs,
    at: state.now(),
  };
  const run = {
    conversationId: entryId('conv'),
    speaker: speakerOf(state, check.agentId),
    now: state.now,
    storeFile: (file: ScriptFile) => storeToolFile(state, file),
  };
  await playAccepted(state, response, record, (context) => conversationDialect(context, run));
}

function modelOf(state: FakeState, agentId: string | undefined, model: string | undefined) {
  if (agentId === undefined) return model ?? FAKE_MODEL;
  return state.agents.get(agentId)?.model ?? FAKE_MODEL;
}

/** Whether any input carries an image chunk. */
function hasImage(body: unknown): boolean {
  const inputs = (body as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs)) return false;
  return inputs.some(
    (entry) =>
      Array.isArray((entry as { content?: unknown }).content) &&
      (entry as { content: unknown[] }).content.some(
        (chunk) => (chunk as { type?: unknown }).type === 'image_url',
      ),
  );
}

function speakerOf(state: FakeState, agentId: string | undefined): Speaker {
  const agent = agentId === undefined ? undefined : state.agents.get(agentId);
  if (agent === undefined) return { model: FAKE_MODEL };
  return { agentId: agent.id, agentName: agent.name, model: FAKE_MODEL };
}

/**
 * Keeps a connector's file so `/v1/files/{id}/content` serves it. Mistral does not document the
 * purpose of such files; the fake labels them with the connector's name, source `mistral`.
 */
function storeToolFile(state: FakeState, file: ScriptFile): string {
  const bytes = 'bytes' in file ? file.bytes : new TextEncoder().encode(file.text);
  const tool = file.tool ?? 'code_interpreter';
  const name = file.name.includes('.') ? file.name : `${file.name}.${file.type}`;
  const input = {
    name: file.name,
    purpose: tool,
    bytes,
    source: 'mistral',
    mimeType: mimeTypeOf(name),
  } as const;
  return putFile(state.files, input, state.now()).id;
}
