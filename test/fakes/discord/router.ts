import type { UploadedFile } from './multipart.js';
import type { FakeState } from './state.js';
import type { RateLimitRule } from './types.js';

/** What a route handler gets: path parameters, query, the parsed JSON body and any `files[n]` uploads. */
export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly files: readonly UploadedFile[];
}

export interface RouteResult {
  readonly status: 200 | 201 | 204;
  readonly body?: unknown;
}

/** One REST route; `template` uses Discord's `{channel_id}` placeholders. */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly template: string;
  /** False for interaction and webhook-token routes: the token in the path is the credential. */
  readonly auth: boolean;
  /** The parameter that splits rate-limit buckets (channel, guild or webhook), if any. */
  readonly major?: string;
  readonly limit?: RateLimitRule;
  handle(request: RouteRequest): RouteResult;
}

/** What route modules share. */
export interface RouteContext {
  readonly state: FakeState;
  readonly interactionWindowMs: number;
  readonly messageRateLimit: RateLimitRule | undefined;
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'wrong-method' }
  | { readonly kind: 'none' };

function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const segment = got[i] ?? '';
    if (part.startsWith('{')) {
      if (segment === '') return undefined;
      params[part.slice(1, -1)] = decodeURIComponent(segment);
    } else if (part !== segment) return undefined;
  }
  return params;
}

/** Finds the route for a method and path (literal segments such as `@me` win over placeholders). */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  let pathKnown = false;
  const ordered = [...routes].sort((a, b) => literalCount(b.template) - literalCount(a.template));
  for (const route of ordered) {
    const params = matchTemplate(route.template, path);
    if (!params) continue;
    if (route.method === method) return { kind: 'found', route, params };
    pathKnown = true;
  }
  return pathKnown ? { kind: 'wrong-method' } : { kind: 'none' };
}

function literalCount(template: string): number {
  return template.split('/').filter((part) => !part.startsWith('{')).length;
}

/** A required path parameter (the router guarantees it is present). */
export function param(request: RouteRequest, name: string): string {
  return request.params[name] ?? '';
}

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const noContent = (): RouteResult => ({ status: 204 });
