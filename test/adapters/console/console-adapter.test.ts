import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConsoleLine } from '../../../adapters/console/console-commands.js';
import { loadConfig } from '../../../src/config/config.js';
import { type FakeMistral, startFakeMistral } from '../../fakes/mistral/fake-mistral.js';
import { runConsoleLines } from '../../support/console-run.js';
import { plainText } from '../../support/framing.js';

const AGENT = 'ag:console:test';
let fake: FakeMistral;

beforeAll(async () => {
  fake = await startFakeMistral({
    agents: [
      { id: AGENT, name: 'Console Agent' },
      { id: 'ag:other:1', name: 'Other' },
    ],
  });
});
afterAll(() => fake.close());

async function runChat(lines: string[]): Promise<string> {
  const result = loadConfig({
    MISTRAL_API_KEY: fake.apiKey,
    MISTRAL_AGENT_ID: AGENT,
    MISTRAL_SERVER_URL: fake.url,
    AGENTS: 'other=ag:other:1,main=ag:console:test',
    ROLEPLAY_PAUSE_MS: '0',
  });
  if (!result.ok) throw new Error(result.problems.join('; '));
  return runConsoleLines(result.config, lines);
}

describe('console adapter', () => {
  it('prints the streamed answer and keeps the conversation between lines', async () => {
    fake.reset();
    fake.setResponder((request) => ({
      kind: 'reply',
      text: `heard ${request.messages.length} lines`,
      chunkSize: 3,
    }));

    const output = await runChat(['hello', 'again', '/quit', 'never sent']);

    expect(output).toBe('agent> heard 1 lines\nagent> heard 3 lines\n');
    expect(fake.completions).toHaveLength(2);
  });

  it('resets the conversation and switches agents by alias', async () => {
    fake.reset();
    fake.setResponder(() => ({ kind: 'reply', text: 'ok' }));

    const output = await runChat(['one', '/reset', '/agent other', '/agent', 'two']);

    expect(output).toContain('Conversation reset');
    expect(output).toContain('This channel now talks to *Other* (`ag:other:1`)');
    expect(output).toContain('Agent here: *Other* (`ag:other:1`) — set for this channel.');
    expect(fake.completions.map((call) => [call.agentId, call.messages.length])).toEqual([
      [AGENT, 1],
      ['ag:other:1', 1],
    ]);
  });

  it('shows one clear notice when the agent fails', async () => {
    fake.reset();
    fake.setResponder(() => ({ kind: 'status', status: 401 }));

    const output = await runChat(['hi']);

    expect(output).toBe(
      '[!] I can’t reach the agent: the Mistral API key was refused. Please tell whoever runs Parley.\n',
    );
  });

  it('refuses an unknown agent name without changing anything', async () => {
    const output = await runChat(['/agent nobody', '/agent']);

    expect(output).toContain('I don’t know an agent called “nobody”');
    expect(output).toContain('— the default.');
  });
});

describe('parseConsoleLine', () => {
  it.each([
    ['', { kind: 'empty' }],
    ['/QUIT', { kind: 'quit' }],
    ['/agent  ali ', { kind: 'set-agent', nameOrId: 'ali' }],
    ['/agent', { kind: 'show-agent' }],
    ['/nope', { kind: 'unknown', name: '/nope' }],
    [' hi there ', { kind: 'say', text: 'hi there' }],
  ])('reads %j', (line, expected) => {
    expect(parseConsoleLine(line)).toEqual(expected);
  });

  it('stages a role-play with name prefixes, alternating speakers', async () => {
    fake.reset();
    fake.setResponder((request) => ({
      kind: 'reply',
      text: `${request.agentId} speaks (${request.messages.length})`,
    }));

    const output = await runChat(['/roleplay main other 4 "tea or coffee"', '/quit']);

    expect(output.split('\n')).toEqual([
      '🎭 Console Agent and Other on “tea or coffee” — 4 turns.',
      'Console Agent> ag:console:test speaks (1)',
      'Other> ag:other:1 speaks (1)',
      'Console Agent> ag:console:test speaks (3)',
      'Other> ag:other:1 speaks (3)',
      '🎬 The end: 4 turns done.',
      '',
    ]);
    const last = fake.completions.at(-1)?.messages.at(-1);
    expect(last?.role).toBe('user');
    expect(plainText(last?.content)).toContain('Console Agent: ag:console:test speaks (3)');
  });

  it('answers /roleplay without arguments with usage and the roster', async () => {
    const output = await runChat(['/roleplay']);

    expect(output).toContain('Usage: `/roleplay <agentA> <agentB> [turns] <topic>`');
    expect(output).toContain('other');
  });
});
