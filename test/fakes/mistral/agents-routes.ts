import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJson, readBody, sendJson } from './http-io.js';
import type { AgentWrite } from './types.js';
import { apiError, type ErrorReply, type FieldIssue, hexId, validationError } from './wire.js';

type Fields = Record<string, unknown>;

/** Agents made through the API: every version of each, oldest first, as the wire shows them. */
export interface ManagedAgents {
  readonly versions: Map<string, Fields[]>;
  /** Every accepted create and update, in arrival order. */
  readonly writes: AgentWrite[];
}

/** What the agents routes need from the rest of the fake. */
export interface AgentsRouteContext {
  readonly managed: ManagedAgents;
  /** Registers an agent for completions and the plain `GET /v1/agents/{id}`. */
  readonly register: (id: string, name: string) => void;
  readonly hasAgent: (id: string) => boolean;
  readonly refuse: (reply: ErrorReply, reason: string) => void;
}

const TOOL_TYPES = new Set([
  'code_interpreter',
  'connector',
  'document_library',
  'function',
  'image_generation',
  'web_search',
  'web_search_premium',
]);
// completion_args' fields (components/completionargs.ts); the API forbids others.
const COMPLETION_ARGS = new Set([
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'temperature',
  'top_p',
  'max_tokens',
  'random_seed',
  'prediction',
  'response_format',
  'tool_choice',
  'reasoning_effort',
]);
const DEFAULT_PAGE_SIZE = 20;

/** The newest version of a managed agent, or undefined. */
export function latestAgent(managed: ManagedAgents, id: string): Fields | undefined {
  return managed.versions.get(id)?.at(-1);
}

/** `POST /v1/agents`: validates, then stores version 0. */
export async function createAgent(
  context: AgentsRouteContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const body = await readFields(context, request);
  if (body === undefined) return;
  const issues = [...requiredIssues(body), ...bodyIssues(body, context.hasAgent)];
  if (issues.length > 0) return context.refuse(validationError(issues), 'invalid agent');
  const now = new Date().toISOString();
  const agent: Fields = {
    ...defaults(),
    ...pick(body),
    object: 'agent',
    id: `ag_${hexId()}`,
    version: 0,
    versions: [0],
    created_at: now,
    updated_at: now,
  };
  context.managed.versions.set(agent.id as string, [agent]);
  context.managed.writes.push({ method: 'POST', id: agent.id as string, body });
  context.register(agent.id as string, agent.name as string);
  sendJson(response, 200, agent);
}

/** `PATCH /v1/agents/{id}`: each accepted update is a new version. */
export async function updateAgent(
  context: AgentsRouteContext,
  request: IncomingMessage,
  response: ServerResponse,
  id: string,
): Promise<void> {
  const history = context.managed.versions.get(id);
  if (history === undefined) {
    return context.refuse(apiError(404, `Agent with id ${id} not found`), 'unknown agent');
  }
  const body = await readFields(context, request);
  if (body === undefined) return;
  const issues = bodyIssues(body, context.hasAgent);
  if (issues.length > 0) return context.refuse(validationError(issues), 'invalid agent update');
  const previous = history.at(-1) ?? {};
  const version = history.length;
  const agent: Fields = {
    ...previous,
    ...pick(body),
    version,
    versions: [...history.map((_, index) => index), version],
    updated_at: new Date().toISOString(),
  };
  history.push(agent);
  context.managed.writes.push({ method: 'PATCH', id, body });
  context.register(id, agent.name as string);
  sendJson(response, 200, agent);
}

/** `GET /v1/agents/{id}[?agent_version=N]` for a managed agent; false when it is not one. */
export function getManagedAgent(
  context: AgentsRouteContext,
  response: ServerResponse,
  id: string,
  query: URLSearchParams,
): boolean {
  const history = context.managed.versions.get(id);
  if (history === undefined) return false;
  const wanted = query.get('agent_version');
  const agent = wanted === null ? history.at(-1) : history[Number(wanted)];
  if (agent === undefined) {
    context.refuse(apiError(404, `Version ${wanted} of agent ${id} not found`), 'unknown version');
  } else {
    sendJson(response, 200, { ...agent, versions: history.map((_, index) => index) });
  }
  return true;
}

/** `GET /v1/agents/pages`: cursor pages, filtered by `metadata` (JSON) when given. */
export function listAgentPages(
  context: AgentsRouteContext,
  response: ServerResponse,
  query: URLSearchParams,
): void {
  const all = matching(context.managed, query);
  const start = Number(query.get('page_token') ?? '0') || 0;
  const size = pageSize(query);
  const next = start + size < all.length ? String(start + size) : null;
  sendJson(response, 200, {
    object: 'list',
    data: all.slice(start, start + size),
    next_page_token: next,
  });
}

/** `GET /v1/agents?page=&page_size=` (the deprecated list): a bare array, page numbers from 0. */
export function listAgents(
  context: AgentsRouteContext,
  response: ServerResponse,
  query: URLSearchParams,
): void {
  const size = pageSize(query);
  const page = Number(query.get('page') ?? '0') || 0;
  sendJson(response, 200, matching(context.managed, query).slice(page * size, (page + 1) * size));
}

function matching(managed: ManagedAgents, query: URLSearchParams): Fields[] {
  const filter = parseJson(query.get('metadata') ?? 'null');
  const wanted = filter.ok && isObject(filter.value) ? filter.value : {};
  return [...managed.versions.values()]
    .map((history) => history.at(-1) ?? {})
    .filter((agent) => {
      const metadata = isObject(agent.metadata) ? agent.metadata : {};
      return Object.entries(wanted).every(([key, value]) => metadata[key] === value);
    });
}

function pageSize(query: URLSearchParams): number {
  const size = Number(query.get('page_size') ?? DEFAULT_PAGE_SIZE);
  return Number.isInteger(size) && size > 0 ? size : DEFAULT_PAGE_SIZE;
}

async function readFields(
  context: AgentsRouteContext,
  request: IncomingMessage,
): Promise<Fields | undefined> {
  const parsed = parseJson(await readBody(request));
  if (!parsed.ok) context.refuse(apiError(400, 'Invalid JSON body'), 'malformed JSON');
  else if (!isObject(parsed.value)) {
    const issue = {
      type: 'model_attributes_type',
      loc: ['body'],
      msg: 'Input should be a valid dictionary',
    };
    context.refuse(validationError([issue]), 'body is not an object');
  } else return parsed.value;
  return undefined;
}

function requiredIssues(body: Fields): FieldIssue[] {
  return ['model', 'name']
    .filter((key) => !(key in body))
    .map((key) => ({ type: 'missing', loc: ['body', key], msg: 'Field required', input: body }));
}

function bodyIssues(body: Fields, hasAgent: (id: string) => boolean): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const key of ['model', 'name', 'instructions', 'description']) {
    if (key in body && body[key] !== null && typeof body[key] !== 'string') {
      issues.push(issue(['body', key], 'string_type', 'Input should be a valid string', body[key]));
    }
  }
  issues.push(...toolIssues(body.tools), ...completionArgIssues(body.completion_args));
  issues.push(...handoffIssues(body.handoffs, hasAgent));
  if ('metadata' in body && body.metadata !== null && !isObject(body.metadata)) {
    issues.push(
      issue(['body', 'metadata'], 'dict_type', 'Input should be a valid dictionary', body.metadata),
    );
  }
  return issues;
}

function toolIssues(tools: unknown): FieldIssue[] {
  if (tools === undefined) return [];
  if (!Array.isArray(tools))
    return [issue(['body', 'tools'], 'list_type', 'Input should be a valid list', tools)];
  return tools.flatMap((tool: unknown, index) => {
    const loc = ['body', 'tools', index];
    if (!isObject(tool) || typeof tool.type !== 'string' || !TOOL_TYPES.has(tool.type)) {
      return [
        issue(loc, 'union_tag_invalid', 'Input tag does not match any of the expected tags', tool),
      ];
    }
    const ids = tool.library_ids;
    const isIdList = Array.isArray(ids) && ids.every((id) => typeof id === 'string');
    if (tool.type === 'document_library' && !isIdList) {
      return [issue([...loc, 'library_ids'], 'list_type', 'Input should be a valid list', ids)];
    }
    return [];
  });
}

function completionArgIssues(args: unknown): FieldIssue[] {
  if (args === undefined) return [];
  const loc = ['body', 'completion_args'];
  if (!isObject(args)) return [issue(loc, 'dict_type', 'Input should be a valid dictionary', args)];
  const issues = Object.keys(args)
    .filter((key) => !COMPLETION_ARGS.has(key))
    .map((key) =>
      issue([...loc, key], 'extra_forbidden', 'Extra inputs are not permitted', args[key]),
    );
  const ranges: ReadonlyArray<[string, number, number]> = [
    ['temperature', 0, 1.5],
    ['top_p', 0, 1],
    ['max_tokens', 0, Number.MAX_SAFE_INTEGER],
  ];
  for (const [key, min, max] of ranges) {
    const value = args[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || value < min || value > max) {
      issues.push(
        issue([...loc, key], 'value_error', `Input should be between ${min} and ${max}`, value),
      );
    } else if (key === 'max_tokens' && !Number.isInteger(value)) {
      issues.push(issue([...loc, key], 'int_type', 'Input should be a valid integer', value));
    }
  }
  return issues;
}

function handoffIssues(handoffs: unknown, hasAgent: (id: string) => boolean): FieldIssue[] {
  if (handoffs === undefined || handoffs === null) return [];
  const loc = ['body', 'handoffs'];
  if (!Array.isArray(handoffs))
    return [issue(loc, 'list_type', 'Input should be a valid list', handoffs)];
  return handoffs.flatMap((id: unknown, index) =>
    typeof id === 'string' && hasAgent(id)
      ? []
      : [issue([...loc, index], 'value_error', `Agent ${String(id)} not found`, id)],
  );
}

// The fields an agent stores from a create or update body; anything else is not kept.
const STORED_FIELDS = [
  'name',
  'model',
  'instructions',
  'description',
  'tools',
  'completion_args',
  'handoffs',
  'metadata',
  'guardrails',
  'version_message',
] as const;

function pick(body: Fields): Fields {
  return Object.fromEntries(
    STORED_FIELDS.filter((key) => key in body).map((key) => [key, body[key]]),
  );
}

function defaults(): Fields {
  return {
    description: null,
    instructions: null,
    tools: [],
    completion_args: { tool_choice: 'auto' },
    guardrails: null,
    handoffs: null,
    metadata: null,
    owner_id: null,
    deployment_chat: false,
    source: 'api',
    version_message: null,
  };
}

function issue(loc: Array<string | number>, type: string, msg: string, input: unknown): FieldIssue {
  return { type, loc, msg, input };
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
