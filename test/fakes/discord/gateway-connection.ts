import { createDeflate, constants as zlib } from 'node:zlib';
import type { WebSocket } from 'ws';

/** Gateway opcodes (Discord "Gateway Opcodes"). */
export const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  presenceUpdate: 3,
  voiceStateUpdate: 4,
  resume: 6,
  reconnect: 7,
  requestGuildMembers: 8,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;

/** Gateway close codes the fake uses, with Discord's reasons. */
export const CLOSE = {
  unknownOpcode: [4001, 'Unknown opcode.'],
  decodeError: [4002, 'Error while decoding payload.'],
  notAuthenticated: [4003, 'Not authenticated.'],
  authenticationFailed: [4004, 'Authentication failed.'],
  alreadyAuthenticated: [4005, 'Already authenticated.'],
  invalidShard: [4010, 'Invalid shard.'],
  invalidApiVersion: [4012, 'Invalid API version.'],
  invalidIntents: [4013, 'Invalid intent(s).'],
  disallowedIntents: [4014, 'Disallowed intent(s).'],
} as const satisfies Record<string, readonly [number, string]>;

export interface GatewayPayload {
  readonly op: number;
  readonly d: unknown;
  readonly s: number | null;
  readonly t: string | null;
}

/** One WebSocket to the gateway: JSON frames, or zlib-stream frames when `compress=zlib-stream` was asked. */
export class GatewayConnection {
  /** The session this socket identified or resumed into. */
  sessionId: string | null = null;
  private readonly deflate;
  private readonly pending: Buffer[] = [];

  constructor(
    readonly socket: WebSocket,
    compress: boolean,
  ) {
    this.deflate = compress ? createDeflate() : null;
    this.deflate?.on('data', (chunk: Buffer) => this.pending.push(chunk));
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  send(payload: GatewayPayload): void {
    if (!this.isOpen) return;
    const text = JSON.stringify(payload);
    if (!this.deflate) {
      this.socket.send(text);
      return;
    }
    // zlib-stream: one shared deflate context; every payload ends with a Z_SYNC_FLUSH (00 00 ff ff).
    this.deflate.write(text);
    this.deflate.flush(zlib.Z_SYNC_FLUSH, () => {
      if (this.isOpen) this.socket.send(Buffer.concat(this.pending.splice(0)));
    });
  }

  close(code: readonly [number, string]): void {
    if (this.isOpen) this.socket.close(code[0], code[1]);
  }

  dispose(): void {
    this.deflate?.destroy();
  }
}
