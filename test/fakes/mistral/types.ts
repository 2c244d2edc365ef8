/** An agent the fake knows, as `GET /v1/agents/{id}` and completions look it up. */
export interface FakeAgent {
  readonly id: string;
  readonly name: string;
  /** The model it runs on: `mistral-medium-latest` (sees images) unless told, e.g. `open-mistral-nemo` (text only). */
  readonly model?: string;
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

/** How the fake answers one accepted completion or conversation request. */
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
  | { readonly kind: 'gate'; readonly until: Promise<unknown>; readonly next: Behaviour }
  /** Plays `steps` in order as the Conversations API would; the completions route plays text only. */
  | { readonly kind: 'script'; readonly steps: readonly ScriptStep[] };

/** The connectors Mistral runs on its side; any other name is a connector of your own. */
export type BuiltInTool =
  | 'web_search'
  | 'web_search_premium'
  | 'code_interpreter'
  | 'image_generation'
  | 'document_library';

/** A source a connector cites, sent as a `tool_reference` chunk. */
export interface ScriptReference {
  readonly title: string;
  readonly url?: string;
  /** Defaults to `web_search`. */
  readonly tool?: BuiltInTool | (string & {});
  readonly description?: string;
  readonly favicon?: string;
}

/** A file a connector made: stored in the fake's file store and sent as a `tool_file` chunk. */
export type ScriptFile = {
  readonly name: string;
  /** The extension Mistral reports as `file_type`, e.g. `png`. */
  readonly type: string;
  /** Defaults to `code_interpreter`. */
  readonly tool?: BuiltInTool | (string & {});
} & ({ readonly bytes: Uint8Array } | { readonly text: string });

/** One step of a conversation answer, played in order. */
export type ScriptStep =
  /** Message text, cut into `chunkSize`-character deltas. */
  | { readonly text: string; readonly chunkSize?: number }
  /**
   * A server-side tool run. For `code_interpreter`, `arguments` is JSON `{"code": "..."}` and
   * `info.code_output` its output; the fake adds `info.code` and `info.result` as Mistral does.
   */
  | {
      readonly tool: BuiltInTool | (string & {});
      readonly arguments?: string;
      readonly info?: Readonly<Record<string, unknown>>;
      /**
       * The run lasts until this settles (a test's gate): streamed, `tool.execution.done` waits
       * for it; not streamed, the whole answer does.
       */
      readonly until?: Promise<unknown>;
    }
  | { readonly reference: ScriptReference }
  | { readonly file: ScriptFile }
  /** The conversation passes to another agent; later messages carry its id. */
  | { readonly handoff: { readonly toAgentId: string; readonly toAgentName: string } }
  /** A call of one of the client's functions; the answer ends there, awaiting its result. */
  | {
      readonly functionCall: {
        readonly name: string;
        readonly arguments: string;
        /** Mistral's are 9 letters and digits; one is made up when left out. */
        readonly toolCallId?: string;
      };
    }
  /** A `conversation.response.error` event (streamed) or an error status (not streamed). */
  | { readonly error: { readonly message: string; readonly code: number } };

/** One message as the service reads it: `prefix` appears only when true (false is its default). */
export interface RecordedMessage {
  readonly role: string;
  readonly content: unknown;
  readonly name?: string;
  readonly prefix?: boolean;
  readonly tool_call_id?: string;
  readonly tool_calls?: unknown;
}

/**
 * A completion or conversation request the fake accepted (including those it answered with an
 * error status). A conversation's inputs are translated to `messages` as completions would carry them.
 */
export interface CompletionRecord {
  readonly endpoint: 'completions' | 'conversations';
  /** The agent asked; empty for a conversation started with `model`. */
  readonly agentId: string;
  /** The model a conversation was started with instead of an agent. */
  readonly model?: string;
  readonly messages: RecordedMessage[];
  readonly stream: boolean;
  /** The parsed JSON body exactly as the client sent it. */
  readonly body: unknown;
  /** A conversation's `inputs` exactly as sent; absent for completions. */
  readonly inputs?: unknown;
  /** The fake's clock (`Date.now()` unless told otherwise) when the request was accepted. */
  readonly at: number;
}

/** A file in the fake's file store, uploaded or made by a connector. */
export interface FakeFile {
  readonly name: string;
  readonly purpose: string;
  readonly bytes: Uint8Array;
  readonly mimeType: string;
}

/** A file a test puts in the store directly, as if uploaded. */
export type NewFakeFile = {
  readonly name: string;
  /** Defaults to `ocr`. */
  readonly purpose?: string;
  /** Defaults to the type the name's extension implies. */
  readonly mimeType?: string;
} & ({ readonly bytes: Uint8Array } | { readonly text: string });

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
  /** Accepted agent-completion and conversation requests, in arrival order. */
  readonly completions: CompletionRecord[];
  readonly rejected: RejectedRequest[];
  addAgent(agent: FakeAgent): void;
  /** Accepted agent creates and updates (`/v1/agents`), in arrival order. */
  readonly agentWrites: AgentWrite[];
  /** The newest version of an agent made through the API, in wire (snake_case) shape. */
  managedAgent(id: string): Readonly<Record<string, unknown>> | undefined;
  /** The file store (`/v1/files`), by file id. */
  readonly files: ReadonlyMap<string, FakeFile>;
  /** Files a client deleted (`DELETE /v1/files/{id}`), by file id. */
  readonly deletedFiles: ReadonlyMap<string, FakeFile>;
  /** Stores a file as an upload would, and returns its id. */
  addFile(file: NewFakeFile): string;
  /** The id of the file a live signed URL of this fake serves; undefined for any other URL. */
  signedFileId(url: string): string | undefined;
  /** Queues behaviours, consumed first-in first-out, one per completion or conversation request. */
  enqueue(...behaviours: Behaviour[]): void;
  setResponder(responder: Responder): void;
  /** Clears records, queue and files, and restores the echo responder; agents stay. */
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
  /** The clock, in epoch milliseconds, for timestamps and signed-URL expiry; `Date.now` by default. */
  readonly now?: () => number;
}
