import { createHash } from 'node:crypto';
import type { AgentDraft } from './agents-api.js';
import type { AgentSpec, Demonstration } from './agents-file.js';

/** The metadata key that ties an agent on Mistral to its alias in the agents file. */
export const ALIAS_KEY = 'parley_alias';
/** The metadata key holding a fingerprint of what was last synced, so unchanged agents are left alone. */
export const FINGERPRINT_KEY = 'parley_fingerprint';

/** The draft for one agent, its handoffs already resolved to agent ids. */
export function draftOf(spec: AgentSpec, handoffIds: readonly string[]): AgentDraft {
  const content = {
    name: spec.name,
    model: spec.model,
    instructions: instructionsWithExamples(spec.instructions ?? '', spec.demonstrations),
    ...(spec.description === undefined ? {} : { description: spec.description }),
    completionArgs: {
      ...(spec.temperature === undefined ? {} : { temperature: spec.temperature }),
      ...(spec.topP === undefined ? {} : { topP: spec.topP }),
      ...(spec.maxTokens === undefined ? {} : { maxTokens: spec.maxTokens }),
    },
    tools: spec.tools,
    handoffs: handoffIds,
  };
  return {
    ...content,
    metadata: { [ALIAS_KEY]: spec.alias, [FINGERPRINT_KEY]: fingerprint(content) },
  };
}

/**
 * The instructions followed by the demonstrations as a delimited "Examples" section.
 * The Agents API has no field for few-shot turns, and Parley sends only the conversation on each
 * call; kept in the instructions, the examples reach the model on every call, from any client.
 */
export function instructionsWithExamples(
  instructions: string,
  demonstrations: readonly Demonstration[],
): string {
  if (demonstrations.length === 0) return instructions;
  const examples = demonstrations.map(
    (example, index) =>
      `Example ${index + 1}\nUser: ${example.user}\nAssistant: ${example.assistant}`,
  );
  const section = [
    '## Examples',
    'These show how you answer; they are not part of the conversation.',
    ...examples,
    '## End of examples',
  ].join('\n\n');
  return instructions === '' ? section : `${instructions}\n\n${section}`;
}

// The server may fill defaults in (tool_choice, temperature), so comparing what it returns with
// the file would see changes that are not there; a fingerprint of what was sent does not.
function fingerprint(content: unknown): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
}
