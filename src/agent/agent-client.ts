import type { FileBytes, Message } from '../core/model.js';

/** A person's file made ready for the agent (see `prepareFiles`). */
export type PreparedFile =
  /** An image a vision-capable agent looks at. */
  | { readonly kind: 'image'; readonly file: FileBytes }
  /** A text-like file (notes, CSV, code), inlined under its name. */
  | { readonly kind: 'text'; readonly name: string; readonly text: string }
  /** A PDF, handed over through the files API. */
  | { readonly kind: 'document'; readonly file: FileBytes }
  /** Any other file, or one over the limits: the agent learns its name only. */
  | { readonly kind: 'named'; readonly name: string };

/** One call to an agent. */
export interface AgentRequest {
  readonly agentId: string;
  /** The conversation, oldest first; shaped for Mistral by the client. */
  readonly messages: readonly Message[];
  /** Several people talk in this thread: user lines carry the speaker's name. */
  readonly isShared: boolean;
  /** The files of the messages above, by message id, ready to send. */
  readonly files?: ReadonlyMap<string, readonly PreparedFile[]>;
  /** False where the reply cannot be shown progressively; the whole answer then arrives at once. */
  readonly stream?: boolean;
  readonly signal?: AbortSignal;
}

/**
 * What an agent does while it answers, in order. Text arrives in deltas; built-in tools start
 * and finish around them; sources and files belong to the answer; a handoff means the text
 * after it is another agent's.
 */
export type AgentEvent =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'tool-started'; readonly id: string; readonly tool: string }
  | {
      readonly kind: 'tool-finished';
      readonly id: string;
      readonly tool: string;
      /** Code interpreter: the code it ran and what it printed. */
      readonly code?: string;
      readonly output?: string;
    }
  | { readonly kind: 'source'; readonly title: string; readonly url?: string }
  | {
      readonly kind: 'file';
      readonly fileId: string;
      readonly name: string;
      readonly mimeType?: string;
    }
  | { readonly kind: 'handoff'; readonly agentId: string; readonly agentName: string }
  /** The agent asked for a function this chat does not offer; it was told so and went on. */
  | { readonly kind: 'function-call'; readonly name: string }
  | { readonly kind: 'done' };

/** What Parley knows of an agent beyond its id. */
export interface AgentInfo {
  readonly id: string;
  readonly name: string | undefined;
  /** True when the API knows the agent, false when it answered "not found", undefined when it could not be asked. */
  readonly exists?: boolean | undefined;
  /** Whether the agent's model reads images; undefined when it could not be told. */
  readonly vision?: boolean | undefined;
}

/** The agent side of the bridge: Mistral in production, scripted in unit tests. */
export interface AgentClient {
  /** Yields what the agent does as it answers; throws a ParleyError with an AGENT_* code. */
  stream(request: AgentRequest): AsyncIterable<AgentEvent>;
  /** The agent's display name when the API has one (cached). */
  describe(agentId: string): Promise<AgentInfo>;
  /** A file the agent made (a `file` event), read through the files API. */
  readFile(fileId: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** Deletes what this client left at the agent's side (uploaded documents); at shutdown. */
  close?(): Promise<void>;
}

/** Only the text of an answer (role-play lines, tests). */
export async function* textOf(events: AsyncIterable<AgentEvent>): AsyncGenerator<string> {
  for await (const event of events) if (event.kind === 'text') yield event.text;
}
