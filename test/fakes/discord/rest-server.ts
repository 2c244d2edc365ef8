import type { IncomingMessage, ServerResponse } from 'node:http';
import { DiscordHttpError, errors } from './errors.js';
import { type ParsedBody, parseBody } from './multipart.js';
import { failureResponse, type Headers, PERMISSIVE_RULE, RateLimits } from './rate-limits.js';
import { matchRoute, type Route, type RouteResult } from './router.js';
import type { FakeState } from './state.js';
import type { InjectedFailure, RestCall } from './types.js';

const API_PREFIX = '/api/v10';

interface PendingFailure {
  readonly route: string;
  readonly failure: InjectedFailure;
  remaining: number;
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers: Headers;
}

/** Serves Discord's REST API v10 from a route table: auth, rate limits, injected failures, recording. */
export class RestServer {
  private readonly failures: PendingFailure[] = [];
  private readonly limits: RateLimits;

  constructor(
    private readonly state: FakeState,
    private readonly routes: readonly Route[],
    private readonly token: string,
  ) {
    this.limits = new RateLimits(state.now);
  }

  /** Answers the next `times` requests to `route` (`'POST /channels/{channel_id}/messages'` or a concrete path) with `failure`. */
  failNext(route: string, failure: InjectedFailure, times = 1): void {
    this.failures.push({ route, failure, remaining: times });
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake.invalid');
    const method = request.method ?? 'GET';
    const path = url.pathname.startsWith(`${API_PREFIX}/`)
      ? url.pathname.slice(API_PREFIX.length)
      : url.pathname;
    const raw = await readBody(request);
    const parsed = await parseBody(raw, request.headers['content-type']);
    const { answer, template } = this.answer(request, method, path, url.searchParams, parsed);
    this.state.restCalls.push({
      method,
      path,
      route: template,
      query: Object.fromEntries(url.searchParams),
      body: parsed instanceof DiscordHttpError ? raw.toString('utf8') : parsed.body,
      ...(parsed instanceof DiscordHttpError ? {} : fileSummary(parsed)),
      status: answer.status,
      at: this.state.now(),
    });
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      ...answer.headers,
      ...(text ? { 'content-type': 'application/json' } : {}),
    });
    response.end(text);
    this.state.changed();
  }

  private answer(
    request: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    parsed: ParsedBody | DiscordHttpError,
  ): { answer: Answer; template: string | null } {
    const match = matchRoute(this.routes, method, path);
    if (match.kind !== 'found' || !request.url?.startsWith(`${API_PREFIX}/`)) {
      const error = match.kind === 'wrong-method' ? errors.methodNotAllowed() : errors.notFound();
      return { answer: errorAnswer(error, {}), template: null };
    }
    const { route, params } = match;
    const template = `${route.method} ${route.template}`;
    const injected = this.takeFailure(template, `${method} ${path}`);
    if (injected) {
      const { headers, body: failureBody } = failureResponse(injected, template);
      return { answer: { status: injected.status, body: failureBody, headers }, template };
    }
    const major = route.major ? (params[route.major] ?? '') : '';
    const limit = this.limits.take(template, major, route.limit ?? PERMISSIVE_RULE);
    if (route.auth && request.headers.authorization !== `Bot ${this.token}`) {
      return { answer: errorAnswer(errors.unauthorized(), limit.headers), template };
    }
    if (limit.retryAfter !== null) {
      const limited = {
        message: 'You are being rate limited.',
        retry_after: limit.retryAfter,
        global: false,
      };
      return { answer: { status: 429, body: limited, headers: limit.headers }, template };
    }
    if (parsed instanceof DiscordHttpError)
      return { answer: errorAnswer(parsed, limit.headers), template };
    const { body, files } = parsed;
    return {
      answer: run(() => route.handle({ params, query, body, files }), limit.headers),
      template,
    };
  }

  private takeFailure(template: string, concrete: string): InjectedFailure | undefined {
    const pending = this.failures.find(
      (f) => f.remaining > 0 && (f.route === template || f.route === concrete),
    );
    if (!pending) return undefined;
    pending.remaining -= 1;
    return pending.failure;
  }
}

function run(handle: () => RouteResult, headers: Headers): Answer {
  try {
    const result = handle();
    return { status: result.status, body: result.body, headers };
  } catch (error) {
    if (error instanceof DiscordHttpError) return errorAnswer(error, headers);
    throw error;
  }
}

function errorAnswer(error: DiscordHttpError, headers: Headers): Answer {
  return { status: error.status, body: error.body(), headers };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What a multipart request uploaded, for `restCalls` (nothing for JSON bodies). */
function fileSummary({ files }: ParsedBody): Pick<RestCall, 'files'> {
  if (files.length === 0) return {};
  return {
    files: files.map((f) => ({ field: f.field, filename: f.filename, size: f.data.length })),
  };
}
