import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { CLOSE, GatewayConnection, type GatewayPayload, OP } from './gateway-connection.js';
import { hasIntent, INTENTS, KNOWN_INTENTS_MASK } from './intents.js';
import type { FakeState, GatewayEvent } from './state.js';
import { guildCreatePayload, userPayload, withoutContent } from './wire.js';

/** Dispatches kept per session so a RESUME can replay what was missed. */
const RESUME_BUFFER_SIZE = 1_000;
/** Close codes after which Discord lets a session be resumed (a client's 1000/1001 ends it). */
const ENDING_CLOSE_CODES = new Set([1000, 1001]);

interface Session {
  readonly id: string;
  readonly intents: number;
  readonly shard: readonly [number, number];
  seq: number;
  readonly sent: GatewayPayload[];
  connection: GatewayConnection | null;
}

export interface GatewayOptions {
  readonly token: string;
  readonly messageContentIntentEnabled: boolean;
  readonly heartbeatIntervalMs: number;
  readonly url: () => string;
}

/** The Gateway v10 over WebSocket: HELLO, IDENTIFY/RESUME, heartbeats, READY, GUILD_CREATE, dispatches. */
export class GatewayServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<GatewayConnection>();
  private readonly sessions = new Map<string, Session>();
  identifyCount = 0;
  heartbeatAcks = 0;

  constructor(
    private readonly state: FakeState,
    private readonly options: GatewayOptions,
  ) {
    state.events.on('dispatch', (event: GatewayEvent) => this.broadcast(event));
  }

  /** Sessions that are identified and connected. */
  get liveSessions(): number {
    return [...this.sessions.values()].filter((s) => s.connection?.isOpen).length;
  }

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  }

  private accept(ws: WebSocket, request: IncomingMessage): void {
    const query = new URL(request.url ?? '/', 'ws://fake.invalid').searchParams;
    const connection = new GatewayConnection(ws, query.get('compress') === 'zlib-stream');
    this.connections.add(connection);
    ws.on('close', (code) => this.closed(connection, code));
    // Only JSON is modelled (discord.js always asks for it); ETF gets a decode error.
    const problem =
      query.get('v') !== '10'
        ? CLOSE.invalidApiVersion
        : query.get('encoding') !== 'json'
          ? CLOSE.decodeError
          : null;
    if (problem) {
      connection.close(problem);
      return;
    }
    ws.on('message', (data, isBinary) => this.receive(connection, data, isBinary));
    connection.send({
      op: OP.hello,
      d: { heartbeat_interval: this.options.heartbeatIntervalMs },
      s: null,
      t: null,
    });
  }

  private closed(connection: GatewayConnection, code: number): void {
    this.connections.delete(connection);
    connection.dispose();
    const session = connection.sessionId ? this.sessions.get(connection.sessionId) : undefined;
    if (!session || session.connection !== connection) return;
    session.connection = null;
    if (ENDING_CLOSE_CODES.has(code)) this.sessions.delete(session.id);
    this.state.changed();
  }

  private receive(connection: GatewayConnection, data: RawData, isBinary: boolean): void {
    const payload = decode(data, isBinary);
    const problem = payload ? this.handle(connection, payload) : CLOSE.decodeError;
    if (problem) connection.close(problem);
  }

  /** Handles one client payload; returns the close code when the client broke a rule. */
  private handle(connection: GatewayConnection, payload: ClientPayload): CloseCode | null {
    const isAuthenticated = connection.sessionId !== null;
    switch (payload.op) {
      case OP.heartbeat:
        this.heartbeatAcks += 1;
        connection.send({ op: OP.heartbeatAck, d: null, s: null, t: null });
        this.state.changed();
        return null;
      case OP.identify:
        return isAuthenticated
          ? CLOSE.alreadyAuthenticated
          : this.identify(connection, asRecord(payload.d));
      case OP.resume:
        return isAuthenticated
          ? CLOSE.alreadyAuthenticated
          : this.resume(connection, asRecord(payload.d));
      case OP.presenceUpdate:
      case OP.voiceStateUpdate:
      case OP.requestGuildMembers:
        return isAuthenticated ? null : CLOSE.notAuthenticated;
      default:
        return isAuthenticated ? CLOSE.unknownOpcode : CLOSE.notAuthenticated;
    }
  }

  private identify(
    connection: GatewayConnection,
    identify: Record<string, unknown>,
  ): CloseCode | null {
    if (identify.token !== this.options.token) return CLOSE.authenticationFailed;
    const intents = identify.intents;
    if (
      typeof intents !== 'number' ||
      !Number.isInteger(intents) ||
      (intents & ~KNOWN_INTENTS_MASK) !== 0
    ) {
      return CLOSE.invalidIntents;
    }
    if (hasIntent(intents, INTENTS.messageContent) && !this.options.messageContentIntentEnabled) {
      return CLOSE.disallowedIntents;
    }
    const shard = parseShard(identify.shard);
    if (!shard) return CLOSE.invalidShard;
    this.identifyCount += 1;
    const session: Session = {
      id: randomBytes(16).toString('hex'),
      intents,
      shard,
      seq: 0,
      sent: [],
      connection,
    };
    this.sessions.set(session.id, session);
    connection.sessionId = session.id;
    const guilds = [...this.state.guilds.values()].filter((g) => onShard(g.id, shard));
    this.send(session, 'READY', {
      v: 10,
      user: { ...userPayload(this.state.botUser), verified: true, mfa_enabled: false, flags: 0 },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.options.url(),
      shard,
      application: { id: this.state.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      user_settings: {},
      session_type: 'normal',
      auth: {},
      geo_ordered_rtc_regions: [],
    });
    // Without GUILDS Discord sends no GUILD_CREATE (discord.js then waits out waitGuildTimeout).
    if (hasIntent(intents, INTENTS.guilds)) {
      for (const guild of guilds)
        this.send(session, 'GUILD_CREATE', guildCreatePayload(this.state, guild));
    }
    this.state.changed();
    return null;
  }

  private resume(connection: GatewayConnection, resume: Record<string, unknown>): CloseCode | null {
    if (resume.token !== this.options.token) return CLOSE.authenticationFailed;
    const session =
      typeof resume.session_id === 'string' ? this.sessions.get(resume.session_id) : undefined;
    const seq = typeof resume.seq === 'number' ? resume.seq : -1;
    if (!session || session.connection?.isOpen || seq > session.seq) {
      connection.send({ op: OP.invalidSession, d: false, s: null, t: null });
      return null;
    }
    session.connection = connection;
    connection.sessionId = session.id;
    for (const payload of session.sent) if ((payload.s ?? 0) > seq) connection.send(payload);
    this.send(session, 'RESUMED', {});
    this.state.changed();
    return null;
  }

  private send(session: Session, t: string, d: unknown): void {
    session.seq += 1;
    const payload: GatewayPayload = { op: OP.dispatch, d, s: session.seq, t };
    session.sent.push(payload);
    if (session.sent.length > RESUME_BUFFER_SIZE) session.sent.shift();
    session.connection?.send(payload);
  }

  /** Sends an event to every session entitled to it (intents, shard, MESSAGE_CONTENT gating). */
  broadcast(event: GatewayEvent): void {
    for (const session of this.sessions.values()) {
      if (event.intent !== null && !hasIntent(session.intents, event.intent)) continue;
      const guildId = event.d.guild_id;
      if (typeof guildId === 'string' && !onShard(guildId, session.shard)) continue;
      const canRead = !event.contentGated || hasIntent(session.intents, INTENTS.messageContent);
      this.send(session, event.t, canRead ? event.d : withoutContent(event.d));
    }
  }

  /** Drops every socket with `code` (1001 by default); sessions closed with 4xxx stay resumable. */
  disconnectAll(code = 1001, reason = 'Going away'): void {
    for (const connection of this.connections) connection.close([code, reason]);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];

interface ClientPayload {
  readonly op?: unknown;
  readonly d?: unknown;
}

/** A JSON text frame; binary frames would be ETF or compressed, which clients never send here. */
function decode(data: RawData, isBinary: boolean): ClientPayload | null {
  if (isBinary) return null;
  try {
    const parsed: unknown = JSON.parse(String(data));
    return typeof parsed === 'object' && parsed !== null ? parsed : null;
  } catch {
    return null;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function parseShard(value: unknown): readonly [number, number] | undefined {
  if (value === undefined) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [id, count] = value as unknown[];
  if (typeof id !== 'number' || typeof count !== 'number' || count < 1 || id < 0 || id >= count)
    return undefined;
  return [id, count];
}

/** Discord's shard formula: (guild_id >> 22) % shard_count. */
function onShard(guildId: string, [id, count]: readonly [number, number]): boolean {
  return Number((BigInt(guildId) >> 22n) % BigInt(count)) === id;
}
