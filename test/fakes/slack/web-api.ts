/** `POST /api/<method>`: Slack's Web API transport — body types, tokens, injected failures, rate limits. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Args, decodeFormArgs, stringArg } from './args.js';
import { bearerToken, mediaType, sendJson } from './http-io.js';
import { METHODS, type MethodContext, type MethodResult } from './methods/index.js';
import type { MethodHandler } from './methods/method.js';
import type { RateLimiter } from './rate-limiter.js';
import type { InjectedFailure } from './types.js';

/** Methods that take the app-level token (`xapp-…`) instead of the bot token, e.g. `apps.connections.open`. */
export interface AppLevelApi {
  readonly token: string;
  readonly methods: Readonly<Record<string, MethodHandler>>;
}

export interface WebApiDeps {
  readonly context: MethodContext;
  readonly botToken: string;
  readonly appLevel?: AppLevelApi;
  readonly limiter: RateLimiter;
  /** Failures queued by `failNext`, per method, first in first out. */
  readonly failures: Map<string, InjectedFailure[]>;
}

type Reply = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };
type Parsed = { args: Record<string, unknown>; bodyToken: string | undefined } | { error: string };

function splitToken(args: Record<string, unknown>): Extract<Parsed, { args: unknown }> {
  const { token, ...rest } = args;
  return { args: rest, bodyToken: typeof token === 'string' && token !== '' ? token : undefined };
}

function parseJsonBody(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    return isObject ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Form bodies may carry the token; JSON bodies may not (Slack wants it in the Authorization header). */
function parseArgs(request: IncomingMessage, raw: string, query: URLSearchParams): Parsed {
  const fromQuery = splitToken(decodeFormArgs(query));
  const type = mediaType(request);
  if (raw === '') return fromQuery;
  if (type === 'application/x-www-form-urlencoded') {
    return splitToken({ ...fromQuery.args, ...decodeFormArgs(new URLSearchParams(raw)) });
  }
  if (type === 'application/json') {
    const body = parseJsonBody(raw);
    if (body === undefined) return { error: 'invalid_json' };
    const { args } = splitToken(body);
    return { args: { ...fromQuery.args, ...args }, bodyToken: fromQuery.bodyToken };
  }
  return { error: type === '' ? 'missing_post_type' : 'invalid_post_type' };
}

/** The handler for `method`, and whether it wants the app-level token rather than the bot token. */
function handlerFor(
  deps: WebApiDeps,
  method: string,
): { handler: MethodHandler; isAppLevel: boolean } | undefined {
  if (Object.hasOwn(METHODS, method)) {
    const handler = METHODS[method];
    return handler === undefined ? undefined : { handler, isAppLevel: false };
  }
  const appMethods = deps.appLevel?.methods ?? {};
  const handler = Object.hasOwn(appMethods, method) ? appMethods[method] : undefined;
  return handler === undefined ? undefined : { handler, isAppLevel: true };
}

/** Slack refuses a known token of the wrong kind (bot vs app-level) with `not_allowed_token_type`. */
function authError(
  request: IncomingMessage,
  bodyToken: string | undefined,
  deps: WebApiDeps,
  isAppLevel: boolean,
): string | undefined {
  const token = bearerToken(request) ?? bodyToken;
  if (token === undefined) return 'not_authed';
  const appToken = deps.appLevel?.token;
  if (token !== deps.botToken && token !== appToken) return 'invalid_auth';
  return (token === appToken) === isAppLevel ? undefined : 'not_allowed_token_type';
}

function failureReply(failure: InjectedFailure): Reply {
  if (typeof failure === 'string') return { status: 200, body: { ok: false, error: failure } };
  if (failure.status === 429) {
    const headers = { 'retry-after': String(failure.retryAfter) };
    return { status: 429, body: { ok: false, error: 'ratelimited' }, headers };
  }
  return { status: failure.status, body: { ok: false, error: `http_${failure.status}` } };
}

function rateLimitReply(deps: WebApiDeps, method: string, args: Args): Reply | undefined {
  const channel = stringArg(args, 'channel') ?? stringArg(args, 'channel_id');
  const decision = deps.limiter.take(method, channel);
  if (decision.allowed) return undefined;
  const headers = { 'retry-after': String(decision.retryAfterSec) };
  return { status: 429, body: { ok: false, error: 'ratelimited' }, headers };
}

function answer(
  deps: WebApiDeps,
  method: string,
  args: Args,
  request: IncomingMessage,
  bodyToken: string | undefined,
): Reply {
  const found = handlerFor(deps, method);
  if (found === undefined) return { status: 200, body: { ok: false, error: 'unknown_method' } };
  const auth = authError(request, bodyToken, deps, found.isAppLevel);
  if (auth !== undefined) return { status: 200, body: { ok: false, error: auth } };
  const failure = deps.failures.get(method)?.shift();
  if (failure !== undefined) return failureReply(failure);
  const limited = rateLimitReply(deps, method, args);
  if (limited !== undefined) return limited;
  const result: MethodResult = found.handler(deps.context, args);
  return { status: 200, body: { ...result } };
}

function record(deps: WebApiDeps, method: string, args: Args, reply: Reply): void {
  const { workspace, clock } = deps.context;
  const error = typeof reply.body.error === 'string' ? reply.body.error : undefined;
  const ok = reply.body.ok === true;
  workspace.calls.push({
    method,
    args,
    at: clock(),
    status: reply.status,
    ok,
    ...(error === undefined ? {} : { error }),
  });
  workspace.changed();
}

/** Answers one Web API request as Slack would, and records it in `calls`. */
export function handleWebApi(
  deps: WebApiDeps,
  method: string,
  request: IncomingMessage,
  response: ServerResponse,
  raw: string,
  query: URLSearchParams,
): void {
  const parsed = parseArgs(request, raw, query);
  const args = 'error' in parsed ? {} : parsed.args;
  const reply: Reply =
    'error' in parsed
      ? { status: 200, body: { ok: false, error: parsed.error } }
      : answer(deps, method, args, request, parsed.bodyToken);
  record(deps, method, args, reply);
  sendJson(response, reply.status, reply.body, reply.headers);
}
