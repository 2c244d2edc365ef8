import { expect } from 'vitest';
import type { CompletionRecord } from '../fakes/mistral/types.js';
import { plainText } from './framing.js';

/**
 * A four-line play between "Main Agent" (`main`) and "Other Agent" (`other`), whose agent answers
 * `<agent id> says <messages seen>`: lines alternate under the two personas, and each agent sees
 * the dialogue from its own side (its lines `assistant`, the other's `user`, the last `user`).
 */
export function expectFourLinePlay(
  personas: readonly (string | undefined)[],
  completions: readonly CompletionRecord[],
  agents: { readonly main: string; readonly other: string },
): void {
  expect(personas).toEqual(['Main Agent', 'Other Agent', 'Main Agent', 'Other Agent']);
  expect(completions.map((call) => call.agentId)).toEqual([
    agents.main,
    agents.other,
    agents.main,
    agents.other,
  ]);
  const [, second, third] = completions;
  expect(second?.messages.at(-1)).toMatchObject({ role: 'user' });
  expect(plainText(second?.messages.at(-1)?.content)).toContain(
    `Main Agent: ${agents.main} says 1`,
  );
  expect(third?.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  expect(third?.messages[1]?.content).toBe(`${agents.main} says 1`);
}
