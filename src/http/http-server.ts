import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { HealthReport } from './health.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServer {
  /** Mounts a handler at an exact path (e.g. Slack's `POST /slack/events`). */
  route(method: string, path: string, handler: RequestHandler): void;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export interface HttpServerDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly health: () => Promise<HealthReport>;
}

/** The one HTTP server: `/healthz`, `/readyz`, `/metrics`, and whatever adapters mount. */
export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const routes = new Map<string, RequestHandler>();
  const log = deps.logger.child({ component: 'http' });
  // Liveness: 503 only when restarting could help (see HealthReport.ok).
  routes.set('GET /healthz', async (_req, res) => {
    const report = await deps.health();
    sendJson(res, report.ok ? 200 : 503, report);
  });
  // Readiness: 503 while anything is not serving yet (starting, reconnecting, store down).
  routes.set('GET /readyz', async (_req, res) => {
    const report = await deps.health();
    sendJson(res, report.ready ? 200 : 503, report);
  });
  routes.set('GET /metrics', async (_req, res) => {
    const { contentType, body } = await deps.metrics.render();
    res.writeHead(200, { 'content-type': contentType }).end(body);
  });
  const server: Server = createServer((req, res) => {
    const path = pathOf(req.url);
    if (path === undefined) return sendJson(res, 400, { error: 'bad request' });
    const handler = routes.get(`${req.method ?? 'GET'} ${path}`);
    if (!handler) return sendJson(res, knownPath(routes, path) ? 405 : 404, { error: 'not found' });
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      log.error('request failed', { path, error });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  // Keep-alive sockets would otherwise hold close() open for minutes.
  server.keepAliveTimeout = 5_000;
  return {
    route: (method, path, handler) => {
      routes.set(`${method.toUpperCase()} ${path}`, handler);
    },
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** The request's path; undefined when the request target is not a URL (e.g. `GET http://[ HTTP/1.1`). */
function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function knownPath(routes: ReadonlyMap<string, RequestHandler>, path: string): boolean {
  return [...routes.keys()].some((key) => key.endsWith(` ${path}`));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
