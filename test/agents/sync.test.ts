import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentsCommandDeps, runAgentsCommand } from '../../src/agents/agents-command.js';
import { parseRoster } from '../../src/config/roster.js';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';

const AGENTS_YAML = `
summarizer:
  name: Summarizer
  model: mistral-small-latest
  instructions: Summarize in three bullets.
  temperature: 0.2
  max_tokens: 400
analyst:
  name: Analyst
  model: mistral-large-latest
  instructions: Analyse the data with code.
  tools: [code_interpreter]
  handoffs: [summarizer]
french:
  name: French agent
  model: mistral-large-latest
  instructions: Answer in French only.
  top_p: 0.9
  demonstrations:
    - user: What is the best cheese?
      assistant: Le comté, sans hésiter.
  avatar: https://example.com/french.png
`;

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly errors: string[];
}

let fake: FakeMistral;
let files: Map<string, string>;

async function run(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const errors: string[] = [];
  const deps: AgentsCommandDeps = {
    env: { MISTRAL_API_KEY: fake.apiKey, MISTRAL_SERVER_URL: fake.url },
    readFile: (path) => {
      const text = files.get(path);
      if (text === undefined) throw new Error(`ENOENT ${path}`);
      return text;
    },
    writeFile: (path, text) => void files.set(path, text),
    print: (line) => void out.push(line),
    printError: (line) => void errors.push(line),
  };
  const code = await runAgentsCommand(args, deps);
  return { code, out, errors };
}

function agentByName(name: string): Readonly<Record<string, unknown>> {
  const id = fake.agentWrites.find((write) => (write.body as { name?: string }).name === name)?.id;
  const agent = id === undefined ? undefined : fake.managedAgent(id);
  if (agent === undefined) throw new Error(`no agent named ${name}`);
  return agent;
}

describe('npm run agents -- sync', () => {
  beforeEach(async () => {
    fake = await startFakeMistral();
    files = new Map([['conf/agents.yaml', AGENTS_YAML]]);
  });
  afterEach(() => fake.close());

  it('creates every agent as declared, handoffs as ids, targets first', async () => {
    const result = await run('sync', 'conf/agents.yaml');

    const summarizer = agentByName('Summarizer');
    expect(result.code).toBe(0);
    expect(fake.agentWrites.map((write) => write.method)).toEqual(['POST', 'POST', 'POST']);
    expect(summarizer).toMatchObject({
      model: 'mistral-small-latest',
      instructions: 'Summarize in three bullets.',
      completion_args: { temperature: 0.2, max_tokens: 400 },
      tools: [],
      metadata: { parley_alias: 'summarizer' },
    });
    expect(agentByName('Analyst')).toMatchObject({
      tools: [{ type: 'code_interpreter' }],
      handoffs: [summarizer.id],
    });
    expect(agentByName('French agent')).toMatchObject({ completion_args: { top_p: 0.9 } });
    expect(result.out.slice(0, 3)).toEqual([
      expect.stringMatching(/^summarizer\s+ag_\w+\s+v0\s+created$/),
      expect.stringMatching(/^analyst\s+ag_\w+\s+v0\s+created$/),
      expect.stringMatching(/^french\s+ag_\w+\s+v0\s+created$/),
    ]);
  });

  it('puts the demonstrations in the instructions, in a delimited Examples section', async () => {
    await run('sync', 'conf/agents.yaml');

    const instructions = String(agentByName('French agent').instructions);
    expect(instructions).toMatch(/^Answer in French only\.\n\n## Examples\n/);
    expect(instructions).toContain(
      'User: What is the best cheese?\nAssistant: Le comté, sans hésiter.',
    );
    expect(instructions).toMatch(/## End of examples$/);
  });

  it('writes nothing to the API on a second sync', async () => {
    await run('sync', 'conf/agents.yaml');
    const writes = fake.agentWrites.length;

    const second = await run('sync', 'conf/agents.yaml');

    expect(fake.agentWrites.length).toBe(writes);
    expect(second.out.slice(0, 3).every((line) => line.endsWith('v0  unchanged'))).toBe(true);
  });

  it('updates only the agent whose field changed, as a new version', async () => {
    await run('sync', 'conf/agents.yaml');
    files.set('conf/agents.yaml', AGENTS_YAML.replace('top_p: 0.9', 'top_p: 0.5'));
    fake.agentWrites.length = 0;

    const result = await run('sync', 'conf/agents.yaml');

    expect(fake.agentWrites).toEqual([expect.objectContaining({ method: 'PATCH' })]);
    expect(agentByName('French agent')).toMatchObject({
      version: 1,
      completion_args: { top_p: 0.5 },
    });
    expect(result.out).toContainEqual(expect.stringMatching(/^french\s+ag_\w+\s+v1\s+updated$/));
  });

  it('matches agents by the alias in their metadata, not by name', async () => {
    await run('sync', 'conf/agents.yaml');
    files.set(
      'conf/agents.yaml',
      AGENTS_YAML.replace('name: French agent', 'name: Agent français'),
    );
    fake.agentWrites.length = 0;

    await run('sync', 'conf/agents.yaml');

    expect(fake.agentWrites.map((write) => write.method)).toEqual(['PATCH']);
  });

  it('writes a roster that AGENTS reads', async () => {
    await run('sync', 'conf/agents.yaml');

    const roster = parseRoster('conf/agents.json', (path) => files.get(path) ?? '');

    expect(roster.ok && [...roster.roster.keys()]).toEqual(['summarizer', 'analyst', 'french']);
    expect(roster.ok && roster.roster.get('french')).toEqual({
      alias: 'french',
      id: agentByName('French agent').id,
      name: 'French agent',
      avatarUrl: 'https://example.com/french.png',
    });
  });

  it('prints the same lines in a dry run and writes nothing', async () => {
    const result = await run('sync', 'conf/agents.yaml', '--dry-run');

    expect(result.code).toBe(0);
    expect(fake.agentWrites).toEqual([]);
    expect(files.has('conf/agents.json')).toBe(false);
    expect(result.out).toEqual([
      'summarizer  (new)  v-  created',
      'analyst     (new)  v-  created',
      'french      (new)  v-  created',
      'dry run: nothing was written',
    ]);
  });

  it('writes nothing for a bad file and names every problem', async () => {
    files.set(
      'conf/agents.yaml',
      `${AGENTS_YAML}\nbroken:\n  name: Broken\n  temperature: 2\n  tools: [telepathy]\n  handoffs: [ghost]\n`,
    );

    const result = await run('sync', 'conf/agents.yaml');

    expect(result.code).not.toBe(0);
    expect(fake.agentWrites).toEqual([]);
    expect(files.has('conf/agents.json')).toBe(false);
    expect(result.errors).toEqual([
      'broken.model: is required',
      'broken.temperature: must be a number between 0 and 1',
      'broken.tools[0]: unknown tool "telepathy"; use web_search, code_interpreter, image_generation, document_library',
      'broken.handoffs[0]: no agent "ghost" in this file',
      'conf/agents.yaml: 4 problem(s), nothing was written',
    ]);
  });

  it('refuses to run without a key, and never prints one', async () => {
    const out: string[] = [];

    const code = await runAgentsCommand(['list'], {
      env: {},
      readFile: () => '',
      writeFile: () => undefined,
      print: (line) => void out.push(line),
      printError: (line) => void out.push(line),
    });

    expect(code).not.toBe(0);
    expect(out).toEqual([
      'MISTRAL_API_KEY is required: your key from console.mistral.ai → API keys',
    ]);
  });
});

describe('npm run agents -- list', () => {
  beforeEach(async () => {
    fake = await startFakeMistral();
    files = new Map([['agents.yaml', AGENTS_YAML]]);
  });
  afterEach(() => fake.close());

  it('lists every agent the key sees with alias, id, model and version', async () => {
    await run('sync');

    const result = await run('list');

    expect(result.code).toBe(0);
    expect(result.out).toEqual([
      expect.stringMatching(/^summarizer {2}ag_\w+ {2}mistral-small-latest {2}v0 {2}Summarizer$/),
      expect.stringMatching(/^analyst {2}ag_\w+ {2}mistral-large-latest {2}v0 {2}Analyst$/),
      expect.stringMatching(/^french {2}ag_\w+ {2}mistral-large-latest {2}v0 {2}French agent$/),
    ]);
    expect(result.out.join('\n')).not.toContain(fake.apiKey);
  });
});
