import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AgentsRouteContext,
  createAgent,
  getManagedAgent,
  listAgentPages,
  listAgents,
  type ManagedAgents,
  updateAgent,
} from './agents-routes.js';
import { hasKey, parseJson, readBody, sendJson } from './http-io.js';
import { playBehaviour } from './play-behaviour.js';
import type {
  Behaviour,
  CompletionRecord,
  FakeAgent,
  RejectedRequest,
  Responder,
} from './types.js';
import { checkCompletion } from './validate-completion.js';
import {
  agentObject,
  apiError,
  type ErrorReply,
  FAKE_MODEL,
  hexId,
  modelList,
  unauthorized,
} from './wire.js';

const COMPLETIONS_PATH = '/v1/agents/completions';
const AGENT_PATH = /^\/v1\/agents\/([^/]+)$/;
const MODELS_PATH = '/v1/models';
const AGENTS_PATH = '/v1/agents';
const AGENT_PAGES_PATH = '/v1/agents/pages';

/** The fake's mutable state, shared by the routes and the test-facing handle. */
export interface FakeState {
  readonly apiKey: string;
  readonly agents: Map<string, FakeAgent>;
  /** Agents created through `POST /v1/agents`, with their versions. */
  readonly managed: ManagedAgents;
  /** ISO time the fake started, used as every agent's creation time. */
  readonly createdAt: string;
  readonly completions: CompletionRecord[];
  readonly rejected: RejectedRequest[];
  readonly queue: Behaviour[];
  readonly responder: () => Responder;
  /** Aborts when the fake closes, so delayed and hanging answers stop. */
  readonly shutdown: AbortSignal;
}

/** Routes one request: key first (as the gateway does), then path and method. */
export async function routeRequest(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://fake');
  const path = url.pathname;
  const method = request.method ?? 'GET';
  const agentId = AGENT_PATH.exec(path)?.[1];
  if (!hasKey(request, state.apiKey)) {
    refuse(state, response, path, unauthorized(), 'missing or wrong API key');
  } else if (path === COMPLETIONS_PATH && method === 'POST') {
    await answerCompletion(state, request, response);
  } else if (path === COMPLETIONS_PATH) {
    refuse(state, response, path, apiError(405, 'Method Not Allowed'), `${method} not allowed`);
  } else if (path === AGENTS_PATH || path === AGENT_PAGES_PATH || method === 'PATCH') {
    await routeAgents(state, request, response, url);
  } else if (method === 'GET' && agentId !== undefined) {
    const id = safeDecode(agentId) ?? agentId;
    if (!getManagedAgent(agentsContext(state, response, path), response, id, url.searchParams)) {
      answerAgent(state, response, path, agentId);
    }
  } else if (method === 'GET' && path === MODELS_PATH) {
    sendJson(response, 200, modelList(Math.floor(Date.now() / 1000)));
  } else {
    refuse(state, response, path, apiError(404, 'Not Found'), `no route for ${method} ${path}`);
  }
}

async function routeAgents(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  const { pathname: path, searchParams: query } = url;
  const method = request.method ?? 'GET';
  const context = agentsContext(state, response, path);
  const agentId = AGENT_PATH.exec(path)?.[1];
  if (path === AGENTS_PATH && method === 'POST') await createAgent(context, request, response);
  else if (path === AGENTS_PATH && method === 'GET') listAgents(context, response, query);
  else if (path === AGENT_PAGES_PATH && method === 'GET') listAgentPages(context, response, query);
  else if (method === 'PATCH' && agentId !== undefined) {
    await updateAgent(context, request, response, safeDecode(agentId) ?? agentId);
  } else {
    refuse(state, response, path, apiError(405, 'Method Not Allowed'), `${method} not allowed`);
  }
}

function agentsContext(
  state: FakeState,
  response: ServerResponse,
  path: string,
): AgentsRouteContext {
  return {
    managed: state.managed,
    register: (id, name) => void state.agents.set(id, { id, name }),
    hasAgent: (id) => state.agents.has(id),
    refuse: (reply, reason) => refuse(state, response, path, reply, reason),
  };
}

async function answerCompletion(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const parsed = parseJson(await readBody(request));
  if (!parsed.ok) {
    refuse(state, response, COMPLETIONS_PATH, apiError(400, 'Invalid JSON body'), 'malformed JSON');
    return;
  }
  const check = checkCompletion(parsed.value, (id) => state.agents.has(id));
  if (check.kind === 'refused') {
    refuse(state, response, COMPLETIONS_PATH, check.reply, check.reason);
    return;
  }
  const { agentId, messages, stream } = check;
  const record: CompletionRecord = {
    agentId,
    messages,
    stream,
    body: parsed.value,
    at: Date.now(),
  };
  state.completions.push(record);
  const behaviour = state.queue.shift() ?? state.responder()(record);
  await playBehaviour(behaviour, {
    response,
    stream,
    head: { id: hexId(), created: Math.floor(record.at / 1000), model: FAKE_MODEL },
    promptChars: JSON.stringify(messages).length,
    signal: AbortSignal.any([state.shutdown, closedSignal(response)]),
  });
}

function answerAgent(state: FakeState, response: ServerResponse, path: string, raw: string): void {
  const id = safeDecode(raw) ?? raw;
  const agent = state.agents.get(id);
  if (agent === undefined) {
    refuse(state, response, path, apiError(404, `Agent with id ${id} not found`), 'unknown agent');
  } else {
    sendJson(response, 200, agentObject(agent, state.createdAt));
  }
}

function refuse(
  state: FakeState,
  response: ServerResponse,
  path: string,
  reply: ErrorReply,
  reason: string,
): void {
  state.rejected.push({ status: reply.status, path, reason });
  sendJson(response, reply.status, reply.body);
}

/** Aborts when the response's connection closes, whoever closed it. */
function closedSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => controller.abort());
  return controller.signal;
}

function safeDecode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
