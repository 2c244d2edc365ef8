import { entryIssues, entryType } from './conversation-entries.js';
import {
  extraForbidden,
  type Fields,
  isObject,
  missing,
  notOneOf,
  optionalString,
  valueError,
  wrongType,
} from './field-issues.js';
import type { RecordedMessage } from './types.js';
import { apiError, type ErrorReply, type FieldIssue, validationError } from './wire.js';

/** The outcome of checking a `POST /v1/conversations` body against the service's rules. */
export type ConversationCheck =
  | {
      readonly kind: 'accepted';
      /** Exactly one of `agentId` and `model` is set. */
      readonly agentId?: string;
      readonly model?: string;
      readonly messages: RecordedMessage[];
      readonly stream: boolean;
    }
  | { readonly kind: 'refused'; readonly reply: ErrorReply; readonly reason: string };

/** What the checks need to know about the fake's agents and models. */
export interface ConversationTargets {
  hasAgent(id: string): boolean;
  hasModel(id: string): boolean;
}

// components/conversationrequest.ts: the API forbids any other field (e.g. `messages`).
const REQUEST_FIELDS = new Set([
  'inputs',
  'stream',
  'store',
  'handoff_execution',
  'instructions',
  'tools',
  'completion_args',
  'guardrails',
  'name',
  'description',
  'metadata',
  'agent_id',
  'agent_version',
  'model',
]);
const SERVING_PROBLEM =
  'Expected last role User or Tool (or Assistant with prefix True) for serving';

/** Checks a conversation start as Mistral does: schema (422), agent or model (404/400), then order (400). */
export function checkConversation(body: unknown, targets: ConversationTargets): ConversationCheck {
  if (!isObject(body)) return refuse422([wrongType(['body'], 'dictionary', body)]);
  const issues = [...fieldIssues(body), ...inputsIssues(body.inputs), ...targetIssues(body)];
  if (issues.length > 0) return refuse422(issues);
  const agentId = typeof body.agent_id === 'string' ? body.agent_id : undefined;
  const model = typeof body.model === 'string' ? body.model : undefined;
  if (agentId !== undefined && !targets.hasAgent(agentId)) {
    return refuse(apiError(404, `Agent with id ${agentId} not found`), `unknown agent ${agentId}`);
  }
  if (model !== undefined && !targets.hasModel(model)) return refuseModel(model);
  const entries = typeof body.inputs === 'string' ? [] : (body.inputs as Fields[]);
  const problem = typeof body.inputs === 'string' ? undefined : orderProblem(entries);
  if (problem !== undefined) return refuse(apiError(400, problem), problem);
  const messages =
    typeof body.inputs === 'string'
      ? [{ role: 'user', content: body.inputs }]
      : entries.flatMap(recordEntry);
  const target = agentId === undefined ? { model: model as string } : { agentId };
  return { kind: 'accepted', ...target, messages, stream: body.stream === true };
}

function fieldIssues(body: Fields): FieldIssue[] {
  const issues = Object.keys(body)
    .filter((key) => !REQUEST_FIELDS.has(key))
    .map((key) => extraForbidden(['body', key], body[key]));
  const loc = ['body'];
  if ('stream' in body && typeof body.stream !== 'boolean') {
    issues.push(wrongType(['body', 'stream'], 'boolean', body.stream));
  }
  if (body.store !== undefined && body.store !== null && typeof body.store !== 'boolean') {
    issues.push(wrongType(['body', 'store'], 'boolean', body.store));
  }
  const handoff = body.handoff_execution;
  if (handoff !== undefined && handoff !== null && handoff !== 'client' && handoff !== 'server') {
    issues.push(notOneOf(['body', 'handoff_execution'], ['client', 'server'], handoff));
  }
  for (const key of ['agent_id', 'model', 'instructions', 'name', 'description']) {
    issues.push(...optionalString(body, key, loc));
  }
  for (const [key, expected] of [
    ['tools', 'list'],
    ['metadata', 'dictionary'],
  ] as const) {
    const value = body[key];
    const fits = expected === 'list' ? Array.isArray(value) : isObject(value);
    if (value !== undefined && value !== null && !fits)
      issues.push(wrongType(['body', key], expected, value));
  }
  return issues;
}

function inputsIssues(inputs: unknown): FieldIssue[] {
  const loc = ['body', 'inputs'];
  if (inputs === undefined) return [missing(loc, inputs)];
  if (typeof inputs === 'string') return [];
  if (!Array.isArray(inputs)) return [wrongType(loc, 'string or list of entries', inputs)];
  return inputs.flatMap((entry: unknown, index) => entryIssues(entry, [...loc, index]));
}

/** A conversation runs on an agent or on a model, never both, never neither. */
function targetIssues(body: Fields): FieldIssue[] {
  const hasAgent = body.agent_id !== undefined && body.agent_id !== null;
  const hasModel = body.model !== undefined && body.model !== null;
  if (hasAgent !== hasModel) return [];
  const which = hasAgent ? 'not both' : 'one is required';
  return [valueError(['body'], `Exactly one of agent_id or model must be set (${which})`, body)];
}

/**
 * The 400 Mistral gives for inputs it cannot serve, if any. A start has no stored conversation,
 * so a function result must answer a call made earlier in these same inputs.
 */
function orderProblem(entries: readonly Fields[]): string | undefined {
  if (entries.length === 0) return 'Conversation must have at least one message';
  const pending = new Set<string>();
  for (const entry of entries) {
    const type = entryType(entry);
    const id = String(entry.tool_call_id);
    if (type === 'function.call') pending.add(id);
    if (type === 'function.result' && !pending.delete(id)) {
      return `Function result with tool_call_id ${id} answers no function call in the inputs`;
    }
    if (type === 'message.input' && pending.size > 0)
      return 'Not the same number of function calls and responses';
  }
  const last = entries.at(-1) ?? {};
  const lastType = entryType(last);
  const canServe =
    lastType === 'function.result' ||
    (lastType === 'message.input' && (last.role === 'user' || last.prefix === true));
  return canServe
    ? undefined
    : `${SERVING_PROBLEM} but got ${lastType === 'message.input' ? String(last.role) : 'assistant'}`;
}

/** An entry as a completions message: results are `tool` turns, calls are assistant tool_calls. */
function recordEntry(entry: Fields): RecordedMessage[] {
  switch (entryType(entry)) {
    case 'message.input':
    case 'message.output':
      return [
        {
          role: String(entry.role ?? 'assistant'),
          content: entry.content,
          ...(entry.prefix === true ? { prefix: true } : {}),
        },
      ];
    case 'function.result':
      return [{ role: 'tool', content: entry.result, tool_call_id: String(entry.tool_call_id) }];
    case 'function.call': {
      const args =
        typeof entry.arguments === 'string' ? entry.arguments : JSON.stringify(entry.arguments);
      const call = {
        id: entry.tool_call_id,
        type: 'function',
        function: { name: entry.name, arguments: args },
      };
      return [{ role: 'assistant', content: '', tool_calls: [call] }];
    }
    default:
      return [];
  }
}

/** Mistral's answer to a model it does not serve. */
function refuseModel(model: string): ConversationCheck {
  const message = `Invalid model: ${model}`;
  const body = { object: 'error', message, type: 'invalid_model', param: null, code: '1500' };
  return refuse({ status: 400, body }, message);
}

function refuse422(issues: readonly FieldIssue[]): ConversationCheck {
  const first = issues[0];
  const where = first === undefined ? 'body' : first.loc.join('.');
  return refuse(validationError(issues), `invalid ${where}: ${first?.msg ?? 'invalid body'}`);
}

function refuse(reply: ErrorReply, reason: string): ConversationCheck {
  return { kind: 'refused', reply, reason };
}
