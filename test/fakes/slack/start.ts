/** Starts the fake Slack's HTTP server: Web API, response URLs and the Socket Mode upgrade. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testSecret } from '../../support/test-secret.js';
import { SLACK_ACK_TIMEOUT_MS } from './deliver.js';
import { API_PATH, FakeSlack } from './fake-slack.js';
import { readBody, sendJson } from './http-io.js';
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

function route(
  api: WebApiDeps,
  urls: ResponseUrls,
  request: IncomingMessage,
  response: ServerResponse,
  raw: string,
): void {
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
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
    const { workspace, clock } = api.context;
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
    readBody(request).then(
      (raw) => route(api, urls, request, response, raw),
      () => sendJson(response, 400, { ok: false, error: 'request_timeout' }),
    );
  });
  server.on('upgrade', (request, socket, head) => {
    if (!sockets.upgrade(request, socket, head)) socket.destroy();
  });
  baseUrl = await listen(server);
  const signingSecret = options.signingSecret ?? testSecret();
  return new FakeSlack({ server, baseUrl, options, api, urls, signingSecret, sockets });
}
