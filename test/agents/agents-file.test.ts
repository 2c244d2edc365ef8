import { describe, expect, it } from 'vitest';
import { parseAgentsFile } from '../../src/agents/agents-file.js';
import { creationOrder } from '../../src/agents/handoff-order.js';

const FRENCH = `
french:
  name: French agent
  model: mistral-large-latest
  instructions: Answer in French only.
  temperature: 0.3
  top_p: 0.9
  max_tokens: 800
  tools: [web_search, { type: document_library, library_ids: [lib-1] }]
  handoffs: [python]
  demonstrations:
    - user: What is the best cheese?
      assistant: Le comté, sans hésiter.
  avatar: https://example.com/french.png
python:
  name: Python agent
  model: codestral-latest
`;

function problemsOf(text: string, fileName = 'agents.yaml'): readonly string[] {
  const result = parseAgentsFile(text, fileName);
  return result.ok ? [] : result.problems;
}

describe('parseAgentsFile', () => {
  it('reads every field of a YAML agent', () => {
    const result = parseAgentsFile(FRENCH, 'agents.yaml');

    expect(result).toEqual({
      ok: true,
      agents: [
        {
          alias: 'french',
          name: 'French agent',
          model: 'mistral-large-latest',
          instructions: 'Answer in French only.',
          temperature: 0.3,
          topP: 0.9,
          maxTokens: 800,
          tools: [{ type: 'web_search' }, { type: 'document_library', libraryIds: ['lib-1'] }],
          handoffs: ['python'],
          demonstrations: [
            { user: 'What is the best cheese?', assistant: 'Le comté, sans hésiter.' },
          ],
          avatar: 'https://example.com/french.png',
        },
        {
          alias: 'python',
          name: 'Python agent',
          model: 'codestral-latest',
          tools: [],
          handoffs: [],
          demonstrations: [],
        },
      ],
    });
  });

  it('reads a JSON file by its extension', () => {
    const text = JSON.stringify({ bot: { name: 'Bot', model: 'mistral-small-latest' } });

    const result = parseAgentsFile(text, 'agents.json');

    expect(result.ok && result.agents.map((agent) => agent.alias)).toEqual(['bot']);
  });

  it('names every problem with its place', () => {
    const text = `
french:
  name: French agent
  temperature: 3
  max_tokens: 1.5
  tools: [web_search, telepathy, { type: document_library }]
  handoffs: [nobody]
  demonstrations: [{ user: hi }]
  avatar: http://example.com/a.png
  colour: blue
Bad Alias:
  name: x
  model: y
`;

    expect(problemsOf(text)).toEqual([
      'french.colour: unknown field',
      'french.avatar: must be an https URL',
      'french.model: is required',
      'french.temperature: must be a number between 0 and 1',
      'french.max_tokens: must be a whole number between 1 and 1000000',
      'french.tools[1]: unknown tool "telepathy"; use web_search, code_interpreter, image_generation, document_library',
      'french.tools[2].library_ids: is required',
      'french.demonstrations[0]: needs user and assistant text',
      'Bad Alias: alias must be 1–32 lower-case letters, digits, - or _',
      'french.handoffs[0]: no agent "nobody" in this file',
    ]);
  });

  it('refuses a handoff cycle', () => {
    const text = `
a: { name: A, model: m, handoffs: [b] }
b: { name: B, model: m, handoffs: [c] }
c: { name: C, model: m, handoffs: [a] }
`;

    expect(problemsOf(text)).toEqual(['handoffs: a → b → c → a is a cycle']);
  });

  it('refuses an agent handing off to itself', () => {
    expect(problemsOf('a: { name: A, model: m, handoffs: [a] }')).toEqual([
      'a.handoffs[0]: an agent cannot hand off to itself',
    ]);
  });

  it('reports a file that is not YAML, or not a map of agents', () => {
    expect(problemsOf('a: [', 'agents.yaml')[0]).toMatch(/^agents\.yaml: cannot be parsed: /);
    expect(problemsOf('{', 'agents.json')[0]).toMatch(/^agents\.json: cannot be parsed: /);
    expect(problemsOf('- a\n- b')).toEqual(['agents.yaml: must map each alias to an agent']);
  });
});

describe('creationOrder', () => {
  it('puts every agent after the agents it hands off to', () => {
    const agents = [
      { alias: 'planner', handoffs: ['analyst'] },
      { alias: 'analyst', handoffs: ['summarizer'] },
      { alias: 'summarizer', handoffs: [] },
    ];

    const order = creationOrder(agents).map((agent) => agent.alias);

    expect(order).toEqual(['summarizer', 'analyst', 'planner']);
  });
});
