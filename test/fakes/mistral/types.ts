/** An agent the fake knows, as `GET /v1/agents/{id}` and completions look it up. */
export interface FakeAgent {
  readonly id: string;
  readonly name: string;
}

/** A create (`POST`) or update (`PATCH`) of an agent the fake accepted, with its JSON body. */
export interface AgentWrite {
  readonly method: 'POST' | 'PATCH';
  readonly id: string;
  readonly body: unknown;
}

/** A streamed or complete answer, cut into `chunkSize`-character deltas. */
export interface ReplyBehaviour {
  readonly kind: 'reply';
  readonly text: string;
  readonly chunkSize?: number;
  readonly firstTokenDelayMs?: number;
  readonly chunkDelayMs?: number;
  /** Sends `content` as `[{ type: 'text', text }]`, which Mistral does for some models. */
  readonly contentAsChunks?: boolean;
}

/** How the fake answers one accepted completion request. */
export type Behaviour =
  | ReplyBehaviour
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly retryAfterSeconds?: number;
      readonly message?: string;
    }
  /** Streams up to `afterChars` characters, then destroys the socket: no finish_reason, no [DONE]. */
  | { readonly kind: 'cut'; readonly text: string; readonly afterChars: number }
  /** Streams `textBefore`, then a `data: {not json` line. */
  | { readonly kind: 'malformed'; readonly textBefore?: string }
  /** Accepts the request and never answers; `close()` still ends it. */
  | { readonly kind: 'hang' }
  /** Holds the request until `until` settles (a test's gate), then plays `next`. */
  | { readonly kind: 'gate'; readonly until: Promise<unknown>; readonly next: Behaviour };

/** One message as the service reads it: `prefix` appears only when true (false is its default). */
export interface RecordedMessage {
  readonly role: string;
  readonly content: unknown;
  readonly name?: string;
  readonly prefix?: boolean;
  readonly tool_call_id?: string;
  readonly tool_calls?: unknown;
}

/** A completion request the fake accepted (including those it answered with an error status). */
export interface CompletionRecord {
  readonly agentId: string;
  readonly messages: RecordedMessage[];
  readonly stream: boolean;
  /** The parsed JSON body exactly as the client sent it. */
  readonly body: unknown;
  /** `Date.now()` when the request was accepted. */
  readonly at: number;
}

/** Chooses the behaviour for a request when the queue is empty. */
export type Responder = (request: CompletionRecord) => Behaviour;

/** A request the fake refused because it broke one of the service's rules. */
export interface RejectedRequest {
  readonly status: number;
  readonly path: string;
  readonly reason: string;
}

/** A running fake of Mistral's HTTP API. */
export interface FakeMistral {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly apiKey: string;
  /** Accepted agent-completion requests, in arrival order. */
  readonly completions: CompletionRecord[];
  readonly rejected: RejectedRequest[];
  addAgent(agent: FakeAgent): void;
  /** Accepted agent creates and updates (`/v1/agents`), in arrival order. */
  readonly agentWrites: AgentWrite[];
  /** The newest version of an agent made through the API, in wire (snake_case) shape. */
  managedAgent(id: string): Readonly<Record<string, unknown>> | undefined;
  /** Queues behaviours, consumed first-in first-out, one per completion request. */
  enqueue(...behaviours: Behaviour[]): void;
  setResponder(responder: Responder): void;
  /** Clears records and queue and restores the echo responder; agents stay. */
  reset(): void;
  /** Stops listening and ends every open connection, hanging ones included. */
  close(): Promise<void>;
}

/** How to start a fake; every field has a default. */
export interface FakeMistralOptions {
  readonly apiKey?: string;
  readonly agents?: readonly FakeAgent[];
  readonly port?: number;
  readonly responder?: Responder;
  readonly host?: string;
}
