import type {
  ConversationEvents,
  ConversationResponse,
  InputEntries,
  MessageOutputEntry,
} from '@mistralai/mistralai/models/components';
import { mimeTypeOf } from '../core/mime-types.js';
import { type ErrorCode, ParleyError } from '../errors.js';
import type { AgentEvent } from './agent-client.js';
import { createPlaceholderFilter } from './emitted-filter.js';

/** A function the agent asked for in one response, as the next request must echo it. */
export interface FunctionCall {
  readonly toolCallId: string;
  readonly name: string;
  arguments: string;
}

/**
 * What one Conversations API response did, beyond the events it yielded: whether it finished,
 * the functions it asked for, and its outputs as inputs for the request that answers them.
 */
export interface ResponseRecord {
  hasFinished: boolean;
  readonly calls: FunctionCall[];
  readonly outputs: InputEntries[];
}

type Content =
  | MessageOutputEntry['content']
  | Extract<ConversationEvents['data'], { type: 'message.output.delta' }>['content'];

/**
 * Turns the pieces of a response into Parley's events, in order: text without the model's
 * placeholders for files, sources, files, tools, handoffs; function calls are collected.
 */
function createTranslator(record: ResponseRecord) {
  const placeholders = createPlaceholderFilter();
  const toolArguments = new Map<string, string>();
  let text = '';

  function* flushText(): Generator<AgentEvent> {
    const rest = placeholders.end();
    if (rest !== '') yield { kind: 'text', text: rest };
  }

  function endMessage(): void {
    if (text !== '')
      record.outputs.push({ type: 'message.output', role: 'assistant', content: text });
    text = '';
  }

  function* content(value: Content): Generator<AgentEvent> {
    for (const chunk of chunksOf(value)) {
      if (chunk.type === 'text') {
        text += chunk.text;
        const shown = placeholders.push(chunk.text);
        if (shown !== '') yield { kind: 'text', text: shown };
      } else if (chunk.type === 'tool_reference') {
        yield {
          kind: 'source',
          title: chunk.title,
          ...(chunk.url ? { url: chunk.url } : {}),
        };
      } else if (chunk.type === 'tool_file') {
        yield* flushText();
        yield {
          kind: 'file',
          fileId: chunk.fileId,
          name: chunk.fileName ?? `${chunk.fileId}.${chunk.fileType ?? 'bin'}`,
          ...(chunk.fileType
            ? { mimeType: mimeTypeOf(chunk.fileType) ?? 'application/octet-stream' }
            : {}),
        };
      }
    }
  }

  function* toolStarted(id: string, tool: string, args: string): Generator<AgentEvent> {
    yield* flushText();
    toolArguments.set(id, (toolArguments.get(id) ?? '') + args);
    yield { kind: 'tool-started', id, tool };
  }

  function* toolFinished(id: string, tool: string, info: unknown): Generator<AgentEvent> {
    const args = toolArguments.get(id) ?? '';
    toolArguments.delete(id);
    yield { kind: 'tool-finished', id, tool, ...codeRun(args, info) };
  }

  function* handoff(agentId: string, agentName: string): Generator<AgentEvent> {
    yield* flushText();
    endMessage();
    yield { kind: 'handoff', agentId, agentName };
  }

  function call(toolCallId: string, name: string, args: string): void {
    const known = record.calls.find((item) => item.toolCallId === toolCallId);
    if (known === undefined) record.calls.push({ toolCallId, name, arguments: args });
    else known.arguments += args;
  }

  return {
    content,
    toolStarted,
    toolArguments: (id: string, args: string) =>
      void toolArguments.set(id, (toolArguments.get(id) ?? '') + args),
    toolFinished,
    handoff,
    call,
    *end(): Generator<AgentEvent> {
      yield* flushText();
      endMessage();
      for (const item of record.calls)
        record.outputs.push({
          type: 'function.call',
          toolCallId: item.toolCallId,
          name: item.name,
          arguments: item.arguments,
        });
    },
  };
}

/** The events of a streamed response; `record` says afterwards how it ended. */
export async function* streamedEvents(
  events: AsyncIterable<ConversationEvents>,
  record: ResponseRecord,
  onEvent: () => void,
): AsyncGenerator<AgentEvent> {
  const translate = createTranslator(record);
  for await (const { data } of events) {
    onEvent();
    switch (data.type) {
      case 'message.output.delta':
        yield* translate.content(data.content);
        break;
      case 'tool.execution.started':
        yield* translate.toolStarted(data.id, data.name, data.arguments);
        break;
      case 'tool.execution.delta':
        translate.toolArguments(data.id, data.arguments);
        break;
      case 'tool.execution.done':
        yield* translate.toolFinished(data.id, data.name, data.info);
        break;
      case 'agent.handoff.done':
        yield* translate.handoff(data.nextAgentId, data.nextAgentName);
        break;
      case 'function.call.delta':
        translate.call(data.toolCallId, data.name, data.arguments);
        break;
      case 'conversation.response.error':
        throw responseError(data.code, data.message);
      case 'conversation.response.done':
        record.hasFinished = true;
        break;
    }
  }
  yield* translate.end();
}

/** The events of a complete (not streamed) response, in the order of its outputs. */
export function* responseEvents(
  response: ConversationResponse,
  record: ResponseRecord,
): Generator<AgentEvent> {
  const translate = createTranslator(record);
  for (const [index, output] of response.outputs.entries()) {
    const id = output.id ?? String(index);
    if (output.type === 'message.output') yield* translate.content(output.content);
    else if (output.type === 'tool.execution') {
      yield* translate.toolStarted(id, output.name, output.arguments);
      yield* translate.toolFinished(id, output.name, output.info);
    } else if (output.type === 'agent.handoff')
      yield* translate.handoff(output.nextAgentId, output.nextAgentName);
    else if (output.type === 'function.call') {
      const args = output.arguments;
      translate.call(
        output.toolCallId,
        output.name,
        typeof args === 'string' ? args : JSON.stringify(args),
      );
    }
  }
  record.hasFinished = true;
  yield* translate.end();
}

/** A delta carries a string or one chunk; a complete entry a string or a list of chunks. */
function chunksOf(value: Content) {
  if (typeof value === 'string') return [{ type: 'text' as const, text: value }];
  return Array.isArray(value) ? value : [value];
}

/** Code interpreter's code (from its arguments) and output (from its info), when it has them. */
function codeRun(args: string, info: unknown): { code?: string; output?: string } {
  const code = stringField(info, 'code') ?? stringField(parseJson(args), 'code');
  const output = stringField(info, 'code_output') ?? stringField(info, 'output');
  return {
    ...(code === undefined ? {} : { code }),
    ...(output === undefined ? {} : { output }),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function stringField(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[field];
  return typeof found === 'string' ? found : undefined;
}

// `conversation.response.error` carries an HTTP-like code; map it like a failed request.
function responseError(code: number, message: string): ParleyError {
  const parleyCode: ErrorCode =
    code === 429
      ? 'AGENT_RATE_LIMITED'
      : code === 404
        ? 'AGENT_NOT_FOUND'
        : code >= 400 && code < 500
          ? 'AGENT_BAD_REQUEST'
          : 'AGENT_UNAVAILABLE';
  return new ParleyError(parleyCode, `agent answered with an error (${code})`, {
    cause: new Error(message.slice(0, 200)),
  });
}
