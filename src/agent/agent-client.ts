import type { Message } from '../core/model.js';

/** One call to an agent. */
export interface AgentRequest {
  readonly agentId: string;
  /** The conversation, oldest first; shaped for Mistral by the client. */
  readonly messages: readonly Message[];
  /** Several people talk in this thread: user lines carry the speaker's name. */
  readonly isShared: boolean;
  /** False where the reply cannot be shown progressively; the whole answer then arrives at once. */
  readonly stream?: boolean;
  readonly signal?: AbortSignal;
}

/** What Parley knows of an agent beyond its id. */
export interface AgentInfo {
  readonly id: string;
  readonly name: string | undefined;
  /** True when the API knows the agent, false when it answered "not found", undefined when it could not be asked. */
  readonly exists?: boolean | undefined;
}

/** The agent side of the bridge: Mistral in production, scripted in unit tests. */
export interface AgentClient {
  /** Yields the answer's text as it arrives; throws a ParleyError with an AGENT_* code. */
  stream(request: AgentRequest): AsyncIterable<string>;
  /** The agent's display name when the API has one (cached). */
  describe(agentId: string): Promise<AgentInfo>;
}
