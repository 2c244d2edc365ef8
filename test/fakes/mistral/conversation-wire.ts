import { randomInt } from 'node:crypto';
import { hexId } from './wire.js';

/**
 * The Conversations API's wire shapes (`/v1/conversations`), as the SDK's components parse them
 * and as recorded answers from api.mistral.ai show them: ids are a prefix and 32 hex digits.
 */

type Fields = Record<string, unknown>;

/** Who speaks an output: an agent, or a bare model when the conversation named one instead. */
export interface Speaker {
  readonly agentId?: string;
  readonly agentName?: string;
  readonly model: string;
}

/** A text, `tool_reference` or `tool_file` chunk of a message output. */
export type OutputChunk = string | Fields;

/** The SSE event types of a streamed conversation (components/ssetypes.ts). */
export type ConversationEventType =
  | 'conversation.response.started'
  | 'conversation.response.done'
  | 'conversation.response.error'
  | 'message.output.delta'
  | 'tool.execution.started'
  | 'tool.execution.delta'
  | 'tool.execution.done'
  | 'agent.handoff.started'
  | 'agent.handoff.done'
  | 'function.call.delta';

const TOOL_CALL_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// Mistral's tool call ids are exactly nine letters and digits.
const TOOL_CALL_ID_LENGTH = 9;

/** An entry or conversation id as Mistral makes them, e.g. `msg_0683…`. */
export function entryId(prefix: 'conv' | 'msg' | 'tool_exec' | 'handoff' | 'fc'): string {
  return `${prefix}_${hexId()}`;
}

/** A tool call id in Mistral's shape: nine letters and digits. */
export function toolCallId(): string {
  let id = '';
  for (let index = 0; index < TOOL_CALL_ID_LENGTH; index += 1) {
    id += TOOL_CALL_ID_ALPHABET[randomInt(TOOL_CALL_ID_ALPHABET.length)];
  }
  return id;
}

/** One SSE event: the type names the event and is repeated in the data, as Mistral sends it. */
export function sseEvent(type: ConversationEventType, at: string, data: Fields): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, created_at: at, ...data })}\n\n`;
}

/** The speaker fields an output carries: `model`, and `agent_id` when an agent speaks. */
export function speakerFields(speaker: Speaker): Fields {
  return speaker.agentId === undefined
    ? { model: speaker.model }
    : { model: speaker.model, agent_id: speaker.agentId };
}

/** The usage block: tokens, plus connector runs by name when any ran. */
export function conversationUsage(
  tokens: Record<string, number>,
  connectors: Readonly<Record<string, number>>,
): Fields {
  const runs = Object.values(connectors).reduce((sum, count) => sum + count, 0);
  if (runs === 0) return tokens;
  return { ...tokens, connector_tokens: runs, connectors };
}

/** A `message.output` entry; text alone is a string, anything else a chunk list. */
export function messageOutputEntry(
  id: string,
  speaker: Speaker,
  chunks: readonly OutputChunk[],
  times: EntryTimes,
): Fields {
  return {
    object: 'entry',
    type: 'message.output',
    ...timeFields(times),
    ...speakerFields(speaker),
    id,
    role: 'assistant',
    content: contentOfChunks(chunks),
  };
}

/** A `tool.execution` entry (a connector Mistral ran). */
export function toolExecutionEntry(
  id: string,
  speaker: Speaker,
  tool: { readonly name: string; readonly arguments: string; readonly info: Fields },
  times: EntryTimes,
): Fields {
  return {
    object: 'entry',
    type: 'tool.execution',
    ...timeFields(times),
    ...speakerFields(speaker),
    id,
    name: tool.name,
    arguments: tool.arguments,
    function: tool.name,
    info: tool.info,
  };
}

/** A `function.call` entry: the client must run it; it is not completed until its result comes. */
export function functionCallEntry(
  id: string,
  speaker: Speaker,
  call: { readonly name: string; readonly arguments: string; readonly toolCallId: string },
  at: string,
): Fields {
  return {
    object: 'entry',
    type: 'function.call',
    created_at: at,
    completed_at: null,
    ...speakerFields(speaker),
    id,
    tool_call_id: call.toolCallId,
    name: call.name,
    arguments: call.arguments,
  };
}

/** An `agent.handoff` entry. */
export function handoffEntry(
  id: string,
  from: { readonly id: string; readonly name: string },
  to: { readonly id: string; readonly name: string },
  times: EntryTimes,
): Fields {
  return {
    object: 'entry',
    type: 'agent.handoff',
    ...timeFields(times),
    id,
    previous_agent_id: from.id,
    previous_agent_name: from.name,
    next_agent_id: to.id,
    next_agent_name: to.name,
  };
}

/** The whole (non-streamed) `conversation.response`. */
export function conversationResponse(
  conversationId: string,
  outputs: readonly Fields[],
  usageBlock: Fields,
): Fields {
  return {
    object: 'conversation.response',
    conversation_id: conversationId,
    outputs,
    usage: usageBlock,
    guardrails: null,
  };
}

/** When an entry started and finished, as ISO strings. */
export interface EntryTimes {
  readonly createdAt: string;
  readonly completedAt: string;
}

function timeFields(times: EntryTimes): Fields {
  return { created_at: times.createdAt, completed_at: times.completedAt };
}

/** Joins neighbouring text pieces; a message of plain text alone is sent as a string. */
function contentOfChunks(chunks: readonly OutputChunk[]): string | Fields[] {
  if (chunks.every((chunk) => typeof chunk === 'string')) return chunks.join('');
  const joined: Fields[] = [];
  for (const chunk of chunks) {
    const next = typeof chunk === 'string' ? { type: 'text', text: chunk } : chunk;
    const last = joined.at(-1);
    if (last?.type === 'text' && next.type === 'text') {
      joined[joined.length - 1] = { ...last, text: `${String(last.text)}${String(next.text)}` };
    } else joined.push(next);
  }
  return joined;
}
