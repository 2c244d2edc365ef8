import type { ToolSpec } from './agents-file.js';

/** What Parley asks Mistral to store for one agent (a create, or an update's new version). */
export interface AgentDraft {
  readonly name: string;
  readonly model: string;
  readonly instructions: string;
  readonly description?: string;
  readonly completionArgs: {
    readonly temperature?: number;
    readonly topP?: number;
    readonly maxTokens?: number;
  };
  readonly tools: readonly ToolSpec[];
  /** Agent ids (not aliases): the API hands off by id. */
  readonly handoffs: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** An agent as the API lists it, with what sync and list need to know. */
export interface RemoteAgent {
  readonly id: string;
  readonly name: string;
  readonly model: string;
  readonly version: number;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The agents endpoints Parley uses; the Mistral implementation is src/agent/mistral-agents.ts. */
export interface AgentsApi {
  /** Every agent the key can see, all pages. */
  list(): Promise<readonly RemoteAgent[]>;
  create(draft: AgentDraft): Promise<RemoteAgent>;
  /** Stores a new version of the agent. */
  update(id: string, draft: AgentDraft): Promise<RemoteAgent>;
}
