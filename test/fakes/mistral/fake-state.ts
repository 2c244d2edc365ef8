import type { ServerResponse } from 'node:http';
import type { ManagedAgents } from './agents-routes.js';
import type { FileStore } from './file-store.js';
import { sendJson } from './http-io.js';
import { type Dialect, type PlayContext, playBehaviour } from './play-behaviour.js';
import type {
  Behaviour,
  CompletionRecord,
  FakeAgent,
  RejectedRequest,
  Responder,
} from './types.js';
import type { ErrorReply } from './wire.js';

/** The fake's mutable state, shared by the routes and the test-facing handle. */
export interface FakeState {
  readonly apiKey: string;
  readonly agents: Map<string, FakeAgent>;
  /** Agents created through `POST /v1/agents`, with their versions. */
  readonly managed: ManagedAgents;
  /** ISO time the fake started, used as every agent's creation time. */
  readonly createdAt: string;
  readonly completions: CompletionRecord[];
  readonly rejected: RejectedRequest[];
  readonly queue: Behaviour[];
  readonly responder: () => Responder;
  readonly files: FileStore;
  /** The fake's clock, epoch milliseconds. */
  readonly now: () => number;
  /** The fake's base URL, for the signed URLs it hands out. */
  readonly origin: () => string;
  /** Aborts when the fake closes, so delayed and hanging answers stop. */
  readonly shutdown: AbortSignal;
}

/** Records a refusal and answers with its error body. */
export function refuse(
  state: FakeState,
  response: ServerResponse,
  path: string,
  reply: ErrorReply,
  reason: string,
): void {
  state.rejected.push({ status: reply.status, path, reason });
  sendJson(response, reply.status, reply.body);
}

/** Records an accepted request, then plays the next queued behaviour (or the responder's). */
export async function playAccepted(
  state: FakeState,
  response: ServerResponse,
  record: CompletionRecord,
  dialectFor: (context: PlayContext) => Dialect,
): Promise<void> {
  state.completions.push(record);
  const behaviour = state.queue.shift() ?? state.responder()(record);
  const context: PlayContext = {
    response,
    stream: record.stream,
    promptChars: JSON.stringify(record.messages).length,
    signal: AbortSignal.any([state.shutdown, closedSignal(response)]),
  };
  await playBehaviour(behaviour, context, dialectFor(context));
}

/** Aborts when the response's connection closes, whoever closed it. */
function closedSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => controller.abort());
  return controller.signal;
}
