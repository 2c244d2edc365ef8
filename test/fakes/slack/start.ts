/** Starts the fake Slack's HTTP server: Web API, response URLs, files and the Socket Mode upgrade. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testSecret } from '../../support/test-secret.js';
import { SLACK_ACK_TIMEOUT_MS } from './deliver.js';
import { API_PATH, FakeSlack } from './fake-slack.js';
import { type FileHostDeps, handleFileDownload, handleUpload } from './file-host.js';
import { FILES_PATH, UPLOAD_PATH } from './file-store.js';
import { readBytes, sendJson, sendText } from './http-io.js';
import { RateLimiter } from './rate-limiter.js';
import { handleResponseUrl, RESPONSE_URL_PATH, ResponseUrls } from './response-urls.js';
import { identityFrom, seedWorkspace } from './setup.js';
import {
  DEFAULT_APP_TOKEN,
  DEFAULT_SOCKET_PING_INTERVAL_MS,
  SocketModeServer,
} from './socket-mode.js';
import type { FakeSlackOptions } from './types.js';
import { handleWebApi, type WebApiDeps } from './web-api.js';
import { Workspace } from './workspace.js';

/** The file host's paths; `true` when `url` was one of them. */
function routeFiles(
  deps: FileHostDeps,
  request: IncomingMessage,
  response: ServerResponse,
  raw: Buffer,
  url: URL,
): boolean {
  if (url.pathname.startsWith(UPLOAD_PATH)) {
    const key = url.pathname.slice(UPLOAD_PATH.length);
    handleUpload(deps, request, response, raw, key).catch(() => {
      if (!response.headersSent) sendText(response, 500, 'error');
    });
    return true;
  }
  if (!url.pathname.startsWith(FILES_PATH)) return false;
  handleFileDownload(deps, request, response, url.pathname);
  return true;
}

function route(
  api: WebApiDeps,
  urls: ResponseUrls,
  request: IncomingMessage,
  response: ServerResponse,
  bytes: Buffer,
): void {
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
  const { workspace, clock } = api.context;
  if (routeFiles({ workspace, botToken: api.botToken }, request, response, bytes, url)) return;
  const raw = bytes.toString('utf8');
  if (url.pathname.startsWith(API_PATH)) {
    handleWebApi(
      api,
      url.pathname.slice(API_PATH.length),
      request,
      response,
      raw,
      url.searchParams,
    );
  } else if (request.method === 'POST' && url.pathname.startsWith(RESPONSE_URL_PATH)) {
    handleResponseUrl(
      { workspace, urls, clock },
      request,
      response,
      raw,
      `${url.origin}${url.pathname}`,
    );
  } else {
    sendJson(response, 404, { ok: false, error: 'not_found' });
  }
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

/** Starts a fake Slack on a free loopback port. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const clock = options.clock ?? Date.now;
  const workspace = new Workspace(identityFrom(options));
  seedWorkspace(workspace, options);
  const sockets = new SocketModeServer({
    appId: workspace.identity.appId,
    ackTimeoutMs: options.socketAckTimeoutMs ?? SLACK_ACK_TIMEOUT_MS,
    pingIntervalMs: options.socketPingIntervalMs ?? DEFAULT_SOCKET_PING_INTERVAL_MS,
    changed: () => workspace.changed(),
  });
  let baseUrl = '';
  const api: WebApiDeps = {
    context: { workspace, clock, streamIdleMs: options.streamIdleMs },
    botToken: options.botToken ?? testSecret('xoxb-'),
    appLevel: {
      token: options.appToken ?? DEFAULT_APP_TOKEN,
      methods: { 'apps.connections.open': () => ({ ok: true, url: sockets.issueUrl(baseUrl) }) },
    },
    limiter: new RateLimiter(options.rateLimits ?? {}, clock),
    failures: new Map(),
  };
  const urls = new ResponseUrls();
  const server = createServer((request, response) => {
    readBytes(request).then(
      (bytes) => route(api, urls, request, response, bytes),
      () => sendJson(response, 400, { ok: false, error: 'request_timeout' }),
    );
  });
  server.on('upgrade', (request, socket, head) => {
    if (!sockets.upgrade(request, socket, head)) socket.destroy();
  });
  baseUrl = await listen(server);
  workspace.files.origin = baseUrl;
  const signingSecret = options.signingSecret ?? testSecret();
  return new FakeSlack({ server, baseUrl, options, api, urls, signingSecret, sockets });
}
