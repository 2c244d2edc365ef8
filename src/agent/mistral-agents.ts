import { Mistral } from '@mistralai/mistralai';
import type { Agent, CreateAgentRequest } from '@mistralai/mistralai/models/components';
import type { AgentDraft, AgentsApi, RemoteAgent } from '../agents/agents-api.js';
import type { ToolSpec } from '../agents/agents-file.js';
import { classifyAttemptError } from './mistral-errors.js';

/** Where the agents API is and the key that reaches it. */
export interface MistralAgentsConfig {
  readonly apiKey: string;
  readonly serverUrl: string;
}

// The largest page the API serves; few keys have more agents than one page holds.
const PAGE_SIZE = 100;

/** The AgentsApi over Mistral's `/v1/agents` endpoints (beta.agents in the SDK). */
export function createMistralAgentsApi(config: MistralAgentsConfig): AgentsApi {
  const sdk = new Mistral({ apiKey: config.apiKey, serverURL: config.serverUrl });
  return {
    list: () =>
      withParleyErrors(async () => {
        const agents: RemoteAgent[] = [];
        // listPages, not the deprecated page-numbered list: it pages by cursor and honours sharing.
        for await (const page of await sdk.beta.agents.listPages({ pageSize: PAGE_SIZE })) {
          agents.push(...page.result.data.map(toRemote));
        }
        return agents;
      }),
    create: (draft) =>
      withParleyErrors(async () => toRemote(await sdk.beta.agents.create(toRequest(draft)))),
    update: (id, draft) =>
      withParleyErrors(async () =>
        toRemote(
          await sdk.beta.agents.update({ agentId: id, updateAgentRequest: toRequest(draft) }),
        ),
      ),
  };
}

function toRequest(draft: AgentDraft): CreateAgentRequest {
  return {
    name: draft.name,
    model: draft.model,
    instructions: draft.instructions,
    ...(draft.description === undefined ? {} : { description: draft.description }),
    completionArgs: { ...draft.completionArgs },
    tools: draft.tools.map(toTool),
    handoffs: [...draft.handoffs],
    metadata: { ...draft.metadata },
  };
}

function toTool(tool: ToolSpec): NonNullable<CreateAgentRequest['tools']>[number] {
  return tool.type === 'document_library'
    ? { type: 'document_library', libraryIds: [...tool.libraryIds] }
    : { type: tool.type };
}

function toRemote(agent: Agent): RemoteAgent {
  return {
    id: agent.id,
    name: agent.name,
    model: agent.model,
    version: agent.version,
    metadata: agent.metadata ?? {},
  };
}

async function withParleyErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw classifyAttemptError(error).error;
  }
}
