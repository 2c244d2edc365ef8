import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AgentsRouteContext,
  createAgent,
  getManagedAgent,
  listAgentPages,
  listAgents,
  updateAgent,
} from './agents-routes.js';
import { answerConversation, CONVERSATIONS_PATH } from './conversations-routes.js';
import { type FakeState, playAccepted, refuse } from './fake-state.js';
import {
  answerFile,
  answerSigned,
  deleteFile,
  FILE_PATH,
  FILES_PATH,
  SIGNED_PATH,
  uploadFile,
} from './files-routes.js';
import { hasKey, parseJson, readBody, sendJson } from './http-io.js';
import { completionDialect } from './play-completion.js';
import type { CompletionRecord } from './types.js';
import { checkCompletion } from './validate-completion.js';
import {
  agentObject,
  apiError,
  FAKE_MODEL,
  hexId,
  modelCard,
  modelList,
  unauthorized,
} from './wire.js';

export type { FakeState } from './fake-state.js';

const COMPLETIONS_PATH = '/v1/agents/completions';
const AGENT_PATH = /^\/v1\/agents\/([^/]+)$/;
const MODELS_PATH = '/v1/models';
const MODEL_PATH = /^\/v1\/models\/([^/]+)$/;
const AGENTS_PATH = '/v1/agents';
const AGENT_PAGES_PATH = '/v1/agents/pages';
const POST_ONLY = new Set([COMPLETIONS_PATH, CONVERSATIONS_PATH]);

/** Routes one request: signed downloads need no key; the rest is behind it, as at the gateway. */
export async function routeRequest(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://fake');
  const path = url.pathname;
  const method = request.method ?? 'GET';
  const signed = SIGNED_PATH.exec(path)?.[1];
  if (method === 'GET' && signed !== undefined) {
    answerSigned(state, response, path, signed);
  } else if (!hasKey(request, state.apiKey)) {
    refuse(state, response, path, unauthorized(), 'missing or wrong API key');
  } else if (POST_ONLY.has(path) && method !== 'POST') {
    refuse(state, response, path, apiError(405, 'Method Not Allowed'), `${method} not allowed`);
  } else if (path === COMPLETIONS_PATH) {
    await answerCompletion(state, request, response);
  } else if (path === CONVERSATIONS_PATH) {
    await answerConversation(state, request, response);
  } else if (path === FILES_PATH || FILE_PATH.test(path)) {
    await routeFiles(state, request, response, url);
  } else if (path === AGENTS_PATH || path === AGENT_PAGES_PATH || method === 'PATCH') {
    await routeAgents(state, request, response, url);
  } else {
    routeLookups(state, method, response, url);
  }
}

async function routeFiles(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  const method = request.method ?? 'GET';
  const match = FILE_PATH.exec(url.pathname);
  if (url.pathname === FILES_PATH && method === 'POST') await uploadFile(state, request, response);
  else if (match?.[1] !== undefined && method === 'GET') {
    answerFile(state, response, url, { id: safeDecode(match[1]) ?? match[1], part: match[2] });
  } else if (match?.[1] !== undefined && match[2] === undefined && method === 'DELETE') {
    deleteFile(state, response, url, safeDecode(match[1]) ?? match[1]);
  } else {
    const reply = apiError(405, 'Method Not Allowed');
    refuse(state, response, url.pathname, reply, `${method} not allowed`);
  }
}

/** The read-only lookups: one agent, the model list. */
function routeLookups(state: FakeState, method: string, response: ServerResponse, url: URL): void {
  const path = url.pathname;
  const agentId = AGENT_PATH.exec(path)?.[1];
  if (method === 'GET' && agentId !== undefined) {
    const id = safeDecode(agentId) ?? agentId;
    if (!getManagedAgent(agentsContext(state, response, path), response, id, url.searchParams)) {
      answerAgent(state, response, path, agentId);
    }
  } else if (method === 'GET' && path === MODELS_PATH) {
    sendJson(response, 200, modelList(Math.floor(state.now() / 1000)));
  } else if (method === 'GET' && MODEL_PATH.test(path)) {
    const id = safeDecode(MODEL_PATH.exec(path)?.[1] ?? '') ?? '';
    const card = modelCard(id, Math.floor(state.now() / 1000));
    if (card === undefined)
      refuse(state, response, path, apiError(404, 'Model not found'), `no model ${id}`);
    else sendJson(response, 200, card);
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
    endpoint: 'completions',
    agentId,
    messages,
    stream,
    body: parsed.value,
    at: state.now(),
  };
  const head = { id: hexId(), created: Math.floor(record.at / 1000), model: FAKE_MODEL };
  await playAccepted(state, response, record, (context) => completionDialect(context, head));
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

function safeDecode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
