/**
 * Socket Mode: `apps.connections.open` hands out a one-use WebSocket URL; over it the fake says
 * `hello`, sends envelopes, waits for their acks, pings, and asks the app to reconnect.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { testSecret } from '../../support/test-secret.js';
import {
  type DeliveryDeps,
  eventCallback,
  interactionBody,
  recordEvent,
  slashCommandFields,
} from './deliver.js';
import type {
  InteractionPayload,
  SlashCommandInput,
  SocketClose,
  SocketCommandDeliveryResult,
  SocketDeliveryResult,
  SocketEnvelopeType,
  SocketEventOptions,
} from './types.js';

/** Where Slack's WebSocket URLs point (`wss://wss-primary.slack.com/link/?ticket=…`). */
export const SOCKET_MODE_PATH = '/link/';
/** The app-level token the fake accepts when a test names none. */
// Made at load time, like every test credential: no token-shaped literal in the tree.
export const DEFAULT_APP_TOKEN = testSecret('xapp-1-');
/** @slack/socket-mode drops a connection after 30 s without a ping (`serverPingTimeout`): stay well under. */
export const DEFAULT_SOCKET_PING_INTERVAL_MS = 10_000;
const FAKE_HOST = 'applink-fake-slack';
/** Interactions whose ack may carry the answer (`response_action`, `options`); others use response_url. */
const ACK_ANSWERED_INTERACTIONS = new Set(['view_submission', 'view_closed', 'block_suggestion']);

export interface SocketModeOptions {
  readonly appId: string;
  readonly ackTimeoutMs: number;
  readonly pingIntervalMs: number;
  /** Called on every change a test may wait for: a connection, an ack, a pong, a close. */
  readonly changed: () => void;
}

interface PendingAck {
  readonly socket: WebSocket;
  readonly settle: (ack: { payload: unknown } | undefined) => void;
}

/** Envelope fields besides the id, type and payload. */
type EnvelopeExtras = Readonly<Record<string, unknown>>;

function parseAck(data: RawData): { envelopeId: string; payload: unknown } | undefined {
  try {
    const message: unknown = JSON.parse(data.toString());
    if (typeof message !== 'object' || message === null) return undefined;
    const { envelope_id: envelopeId, payload } = message as Record<string, unknown>;
    return typeof envelopeId === 'string' ? { envelopeId, payload } : undefined;
  } catch {
    return undefined;
  }
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The WebSocket side of Socket Mode, served on the fake's HTTP server through `upgrade`. */
export class SocketModeServer {
  readonly closes: SocketClose[] = [];
  #pongs = 0;
  readonly #options: SocketModeOptions;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #tickets = new Set<string>();
  readonly #sockets = new Set<WebSocket>();
  readonly #pending = new Map<string, PendingAck>();

  constructor(options: SocketModeOptions) {
    this.#options = options;
  }

  /** Pongs received in answer to the fake's pings. */
  get pongs(): number {
    return this.#pongs;
  }

  /** Open connections that have been greeted with `hello`. */
  get connections(): number {
    return this.#sockets.size;
  }

  /** `apps.connections.open`: a fresh URL whose ticket works once. */
  issueUrl(baseUrl: string): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    const wsBase = baseUrl.replace(/^http/, 'ws');
    return `${wsBase}${SOCKET_MODE_PATH}?ticket=${ticket}&app_id=${this.#options.appId}`;
  }

  /** Takes an HTTP upgrade for the Socket Mode path; returns false for any other path. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'ws://fake.invalid');
    if (url.pathname !== SOCKET_MODE_PATH) return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.#tickets.delete(ticket)) {
      refuse(socket, '401 Unauthorized');
      return true;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
    return true;
  }

  /** Sends an envelope on the newest connection and resolves with its ack, or its absence. */
  deliver(
    type: SocketEnvelopeType,
    payload: Record<string, unknown>,
    extras: EnvelopeExtras,
  ): Promise<SocketDeliveryResult> {
    const socket = [...this.#sockets].at(-1);
    if (socket === undefined) {
      return Promise.reject(new Error('fake Slack: no Socket Mode connection to deliver on'));
    }
    const envelopeId = randomUUID();
    const started = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(undefined), this.#options.ackTimeoutMs);
      const settle = (ack: { payload: unknown } | undefined): void => {
        clearTimeout(timer);
        this.#pending.delete(envelopeId);
        const ms = performance.now() - started;
        resolve(
          ack === undefined
            ? { envelopeId, acked: false, ms }
            : { envelopeId, acked: true, ms, ackPayload: ack.payload },
        );
        this.#options.changed();
      };
      this.#pending.set(envelopeId, { socket, settle });
      socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, ...extras }));
    });
  }

  /** Asks every connection to reconnect, as Slack does before it recycles a server. */
  requestReconnect(reason: 'warning' | 'refresh_requested' | 'link_disabled'): void {
    for (const socket of this.#sockets) {
      socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: FAKE_HOST } }));
    }
  }

  /** Drops every connection at once; envelopes still waiting count as not acked. */
  close(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    for (const pending of this.#pending.values()) pending.settle(undefined);
    return new Promise((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    this.#sockets.add(ws);
    const pinger = setInterval(() => ws.ping(), this.#options.pingIntervalMs);
    pinger.unref();
    ws.on('message', (data, isBinary) => {
      if (!isBinary) this.#acknowledge(ws, data);
    });
    ws.on('pong', () => {
      this.#pongs += 1;
      this.#options.changed();
    });
    ws.on('close', (code, reason) => {
      clearInterval(pinger);
      this.#sockets.delete(ws);
      this.closes.push({ code, reason: reason.toString() });
      for (const pending of this.#pending.values()) {
        if (pending.socket === ws) pending.settle(undefined);
      }
      this.#options.changed();
    });
    ws.send(JSON.stringify(this.#hello()));
    this.#options.changed();
  }

  #hello() {
    return {
      type: 'hello',
      num_connections: this.#sockets.size,
      debug_info: {
        host: FAKE_HOST,
        build_number: 1,
        approximate_connection_time: 18_060,
      },
      connection_info: { app_id: this.#options.appId },
    };
  }

  /** An ack is `{ envelope_id, payload? }` for an envelope sent on this same connection. */
  #acknowledge(ws: WebSocket, data: RawData): void {
    const ack = parseAck(data);
    const pending = ack === undefined ? undefined : this.#pending.get(ack.envelopeId);
    if (ack === undefined || pending === undefined || pending.socket !== ws) return;
    pending.settle({ payload: ack.payload });
  }
}

/** Delivers an event in an `events_api` envelope; messages it carries are stored, as over HTTP. */
export function sendSocketEvent(
  deps: DeliveryDeps,
  server: SocketModeServer,
  event: Record<string, unknown>,
  options: SocketEventOptions = {},
): Promise<SocketDeliveryResult> {
  recordEvent(deps.workspace, event);
  const payload = eventCallback(deps.workspace.identity, event, options.eventId);
  return server.deliver('events_api', payload, {
    accepts_response_payload: false,
    retry_attempt: options.retryNum ?? 0,
    retry_reason: options.retryReason ?? '',
  });
}

/** Delivers a slash command in a `slash_commands` envelope, with a `response_url` at the fake. */
export async function sendSocketCommand(
  deps: DeliveryDeps,
  server: SocketModeServer,
  input: SlashCommandInput,
): Promise<SocketCommandDeliveryResult> {
  const fields = slashCommandFields(deps, input);
  const result = await server.deliver('slash_commands', fields, { accepts_response_payload: true });
  return { ...result, responseUrl: fields.response_url ?? '' };
}

/** Delivers an interaction in an `interactive` envelope. */
export async function sendSocketInteraction(
  deps: DeliveryDeps,
  server: SocketModeServer,
  payload: InteractionPayload,
): Promise<SocketDeliveryResult & { readonly responseUrl: string | undefined }> {
  const { body, responseUrl } = interactionBody(deps, payload);
  const acceptsResponsePayload = ACK_ANSWERED_INTERACTIONS.has(payload.type);
  const result = await server.deliver('interactive', body, {
    accepts_response_payload: acceptsResponsePayload,
  });
  return { ...result, responseUrl };
}
