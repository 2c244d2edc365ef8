import { randomBytes } from 'node:crypto';
import type { FakeAgent } from './types.js';

/** The model every fake agent runs on; any listed model would do. */
export const FAKE_MODEL = 'mistral-medium-latest';
/** A model that reads text only: Mistral refuses images sent to it. */
export const TEXT_ONLY_MODEL = 'open-mistral-nemo';

/** A JSON error body plus the status it is sent with. */
export interface ErrorReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One field problem in pydantic's shape, as Mistral's 422 answers list them. */
export interface FieldIssue {
  readonly type: string;
  readonly loc: ReadonlyArray<string | number>;
  readonly msg: string;
  readonly input?: unknown;
}

/** A 32-hex-digit id like the ones Mistral puts in `request_id` and completion ids. */
export function hexId(): string {
  return randomBytes(16).toString('hex');
}

/** The gateway's answer to a missing or wrong key. */
export function unauthorized(): ErrorReply {
  return statusError(401);
}

/** The API's usual error envelope (`object: 'error'`). */
export function apiError(
  status: number,
  message: unknown,
  type = 'invalid_request_error',
): ErrorReply {
  return { status, body: { object: 'error', message, type, param: null, code: null } };
}

/** A 422 listing field problems, nested under `message.detail` as the API does. */
export function validationError(issues: readonly FieldIssue[]): ErrorReply {
  return apiError(422, { detail: issues });
}

// The gateway in front of the API words these itself, without the `object: 'error'` envelope.
const GATEWAY_MESSAGES: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  429: 'Requests rate limit exceeded',
};

/** The body an error-status behaviour answers with, worded as the service words it. */
export function statusError(status: number, message?: string): ErrorReply {
  const gatewayMessage = GATEWAY_MESSAGES[status];
  if (gatewayMessage !== undefined) {
    return { status, body: { message: message ?? gatewayMessage, request_id: hexId() } };
  }
  const isServerError = status >= 500;
  const fallback = isServerError ? 'Internal server error' : 'Request failed';
  const type = isServerError ? 'internal_server_error' : 'invalid_request_error';
  return apiError(status, message ?? fallback, type);
}

/** The Agent object that `GET /v1/agents/{id}` returns; fields the SDK requires are all set. */
export function agentObject(agent: FakeAgent, createdAt: string): Record<string, unknown> {
  return {
    id: agent.id,
    object: 'agent',
    name: agent.name,
    model: agent.model ?? FAKE_MODEL,
    description: null,
    instructions: `You are ${agent.name}.`,
    tools: [],
    completion_args: { temperature: 0.3, top_p: 1, tool_choice: 'auto' },
    guardrails: null,
    handoffs: null,
    metadata: null,
    version: 0,
    versions: [0],
    owner_id: null,
    created_at: createdAt,
    updated_at: createdAt,
    deployment_chat: false,
    source: 'api',
    version_message: null,
  };
}

/** The `GET /v1/models` list: the vision model agents run on by default, and a text-only one. */
export function modelList(created: number): Record<string, unknown> {
  return {
    object: 'list',
    data: [FAKE_MODEL, TEXT_ONLY_MODEL].map((id) => modelCard(id, created)),
  };
}

/** One model as `GET /v1/models/{id}` describes it; undefined for a model the fake lacks. */
export function modelCard(id: string, created: number): Record<string, unknown> | undefined {
  if (id !== FAKE_MODEL && id !== TEXT_ONLY_MODEL) return undefined;
  return {
    id,
    object: 'model',
    created,
    owned_by: 'mistralai',
    capabilities: { completion_chat: true, function_calling: true, vision: id === FAKE_MODEL },
    name: id,
    description: 'Fake model served by the test double.',
    max_context_length: 131_072,
    aliases: [],
    deprecation: null,
    default_model_temperature: 0.3,
    type: 'base',
  };
}

/** Token counts for usage blocks: roughly four characters a token, never zero. */
export function usage(promptChars: number, completionChars: number): Record<string, number> {
  const prompt = Math.max(1, Math.ceil(promptChars / 4));
  const completion = Math.ceil(completionChars / 4);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/** What identifies one completion across its chunks. */
export interface CompletionHead {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

/** A text delta as a string, or as the chunk list some models send. */
export function contentOf(
  text: string,
  asChunks: boolean,
): string | Array<{ type: 'text'; text: string }> {
  return asChunks ? [{ type: 'text', text }] : text;
}

/** One `chat.completion.chunk`; the finishing one carries usage. */
export function completionChunk(
  head: CompletionHead,
  delta: Record<string, unknown>,
  finish?: { readonly usage: Record<string, number> },
): Record<string, unknown> {
  return {
    id: head.id,
    object: 'chat.completion.chunk',
    created: head.created,
    model: head.model,
    choices: [{ index: 0, delta, finish_reason: finish === undefined ? null : 'stop' }],
    ...(finish === undefined ? {} : { usage: finish.usage }),
  };
}

/** A whole (non-streamed) `chat.completion`. */
export function chatCompletion(
  head: CompletionHead,
  content: unknown,
  usageBlock: Record<string, number>,
): Record<string, unknown> {
  return {
    id: head.id,
    object: 'chat.completion',
    created: head.created,
    model: head.model,
    usage: usageBlock,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, tool_calls: null, prefix: false },
        finish_reason: 'stop',
      },
    ],
  };
}
