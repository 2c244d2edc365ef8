import { isObject, missing, wrongType } from './field-issues.js';
import type { RecordedMessage } from './types.js';
import { apiError, type ErrorReply, type FieldIssue, validationError } from './wire.js';

/** The outcome of checking a completion body against the service's rules. */
export type CompletionCheck =
  | {
      readonly kind: 'accepted';
      readonly agentId: string;
      readonly messages: RecordedMessage[];
      readonly stream: boolean;
    }
  | { readonly kind: 'refused'; readonly reply: ErrorReply; readonly reason: string };

const ROLES = ['assistant', 'system', 'tool', 'user'] as const;
type Role = (typeof ROLES)[number];

type Fields = Readonly<Record<string, unknown>>;

/** Checks an agents-completion body as Mistral does: schema (422), agent (404), then order (400). */
export function checkCompletion(body: unknown, hasAgent: (id: string) => boolean): CompletionCheck {
  if (!isObject(body)) {
    return refuse422([
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary',
        input: body,
      },
    ]);
  }
  const issues = [...topLevelIssues(body), ...messageIssues(body.messages)];
  if (issues.length > 0) return refuse422(issues);
  const agentId = body.agent_id as string;
  const messages = (body.messages as Fields[]).map(recordMessage);
  if (!hasAgent(agentId)) {
    return refuse(apiError(404, `Agent with id ${agentId} not found`), `unknown agent ${agentId}`);
  }
  const orderProblem = messageOrderProblem(messages);
  if (orderProblem !== undefined) return refuse(apiError(400, orderProblem), orderProblem);
  return { kind: 'accepted', agentId, messages, stream: body.stream === true };
}

function topLevelIssues(body: Fields): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!('agent_id' in body)) issues.push(missing(['body', 'agent_id'], body));
  else if (typeof body.agent_id !== 'string')
    issues.push(wrongType(['body', 'agent_id'], 'string', body.agent_id));
  if (!('messages' in body)) issues.push(missing(['body', 'messages'], body));
  else if (!Array.isArray(body.messages))
    issues.push(wrongType(['body', 'messages'], 'list', body.messages));
  if ('stream' in body && typeof body.stream !== 'boolean') {
    issues.push(wrongType(['body', 'stream'], 'boolean', body.stream));
  }
  return issues;
}

function messageIssues(messages: unknown): FieldIssue[] {
  if (!Array.isArray(messages)) return [];
  return messages.flatMap((message: unknown, index) =>
    oneMessageIssues(message, ['body', 'messages', index]),
  );
}

function oneMessageIssues(message: unknown, loc: Array<string | number>): FieldIssue[] {
  if (!isObject(message)) return [wrongType(loc, 'dictionary', message)];
  const role = message.role;
  if (!isRole(role)) {
    const expected = ROLES.map((name) => `'${name}'`).join(', ');
    return [
      {
        type: 'union_tag_invalid',
        loc,
        msg: `Input tag '${String(role)}' found using 'role' does not match any of the expected tags: ${expected}`,
        input: message,
      },
    ];
  }
  return contentIssues(message, role, [...loc, role, 'content']);
}

function contentIssues(message: Fields, role: Role, loc: Array<string | number>): FieldIssue[] {
  const content = message.content;
  // Only an assistant turn may leave content out (it may carry tool calls instead).
  if (role === 'assistant' && (content === undefined || content === null)) return [];
  if (!('content' in message)) return [missing(loc, message)];
  if (typeof content === 'string') return [];
  if (!Array.isArray(content)) return [wrongType(loc, 'string or list of chunks', content)];
  return content.flatMap((chunk: unknown, index) => chunkIssues(chunk, [...loc, index]));
}

function chunkIssues(chunk: unknown, loc: Array<string | number>): FieldIssue[] {
  if (!isObject(chunk) || typeof chunk.type !== 'string') {
    return [
      {
        type: 'union_tag_not_found',
        loc,
        msg: "Unable to extract tag using discriminator 'type'",
        input: chunk,
      },
    ];
  }
  if (chunk.type === 'text' && typeof chunk.text !== 'string')
    return [wrongType([...loc, 'text'], 'string', chunk.text)];
  return [];
}

/** The 400 Mistral gives for a conversation it cannot serve, if any. */
function messageOrderProblem(messages: readonly RecordedMessage[]): string | undefined {
  const last = messages.at(-1);
  if (last === undefined) return 'Conversation must have at least one message';
  for (let index = 1; index < messages.length; index += 1) {
    const [before, after] = [messages[index - 1]?.role, messages[index]?.role];
    if (before === 'tool' && after === 'user') return "Unexpected role 'user' after role 'tool'";
  }
  const canServe =
    last.role === 'user' ||
    last.role === 'tool' ||
    (last.role === 'assistant' && last.prefix === true);
  if (canServe) return undefined;
  return `Expected last role User or Tool (or Assistant with prefix True) for serving but got ${last.role}`;
}

/** Keeps the fields the service reads; `prefix: false` is its default, so it is dropped. */
function recordMessage(message: Fields): RecordedMessage {
  const optional = (key: string): Fields =>
    message[key] === undefined || message[key] === null ? {} : { [key]: message[key] };
  return {
    role: String(message.role),
    content: message.content ?? null,
    ...optional('name'),
    ...optional('tool_call_id'),
    ...optional('tool_calls'),
    ...(message.prefix === true ? { prefix: true } : {}),
  };
}

function refuse422(issues: readonly FieldIssue[]): CompletionCheck {
  const first = issues[0];
  const where = first === undefined ? 'body' : first.loc.join('.');
  return refuse(validationError(issues), `invalid ${where}: ${first?.msg ?? 'invalid body'}`);
}

function refuse(reply: ErrorReply, reason: string): CompletionCheck {
  return { kind: 'refused', reply, reason };
}

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
