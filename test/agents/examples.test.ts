import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgentsCommand } from '../../src/agents/agents-command.js';
import { parseAgentsFile } from '../../src/agents/agents-file.js';
import { loadConfig } from '../../src/config/config.js';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { runConsoleLines } from '../support/console-run.js';

const EXAMPLES = 'examples/agents.yaml';
const ROSTER = 'examples/agents.json';
const ALIASES = [
  'french',
  'python',
  'python-workflow',
  'summarizer',
  'analyst',
  'planner',
  'ali',
  'jimmy',
];

let fake: FakeMistral;
const files = new Map<string, string>();

async function agents(...args: string[]): Promise<string[]> {
  const out: string[] = [];
  const code = await runAgentsCommand(args, {
    env: { MISTRAL_API_KEY: fake.apiKey, MISTRAL_SERVER_URL: fake.url },
    readFile: (path) =>
      files.get(path) ?? readFileSync(join(import.meta.dirname, '../..', path), 'utf8'),
    writeFile: (path, text) => void files.set(path, text),
    print: (line) => void out.push(line),
    printError: (line) => void out.push(`error: ${line}`),
  });
  if (code !== 0) throw new Error(out.join('\n'));
  return out;
}

/** Runs console lines with AGENTS pointing at the roster the sync wrote. */
async function runConsole(lines: readonly string[]): Promise<string> {
  const result = loadConfig(
    {
      MISTRAL_API_KEY: fake.apiKey,
      MISTRAL_SERVER_URL: fake.url,
      MISTRAL_AGENT_ID: 'french',
      AGENTS: `./${ROSTER}`,
      ROLEPLAY_PAUSE_MS: '0',
    },
    (path) => files.get(path.replace(/^\.\//, '')) ?? '',
  );
  if (!result.ok) throw new Error(result.problems.join('; '));
  return runConsoleLines(result.config, lines);
}

describe('examples/agents.yaml', () => {
  beforeAll(async () => {
    fake = await startFakeMistral();
  });
  afterAll(() => fake.close());

  it('validates, with the five use cases', () => {
    const result = parseAgentsFile(
      readFileSync(join(import.meta.dirname, '../..', EXAMPLES), 'utf8'),
      EXAMPLES,
    );

    expect(result.ok && result.agents.map((agent) => agent.alias)).toEqual(ALIASES);
    expect(result.ok && result.agents.find((agent) => agent.alias === 'planner')?.handoffs).toEqual(
      ['analyst'],
    );
  });

  it('lists every agent in a dry run and writes nothing', async () => {
    const lines = await agents('sync', EXAMPLES, '--dry-run');

    expect(lines.slice(0, -1).map((line) => line.split(/\s+/)[0])).toEqual(
      expect.arrayContaining(ALIASES),
    );
    expect(lines).toHaveLength(ALIASES.length + 1);
    expect(fake.agentWrites).toEqual([]);
  });

  it('lets the console play the two comedians from the written roster', async () => {
    await agents('sync', EXAMPLES);
    fake.setResponder((request) => ({ kind: 'reply', text: `${request.agentId} jokes` }));
    const roster = JSON.parse(files.get(ROSTER) ?? '{}') as Record<string, { id: string }>;

    const output = await runConsole(['/roleplay ali jimmy 2 "airport security"', '/quit']);

    expect(output.split('\n')).toEqual([
      '🎭 Ali Wong and Jimmy O. Yang on “airport security” — 2 turns.',
      `Ali Wong> ${roster.ali?.id} jokes`,
      `Jimmy O. Yang> ${roster.jimmy?.id} jokes`,
      '🎬 The end: 2 turns done.',
      '',
    ]);
  });
});
