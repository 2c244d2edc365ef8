import { describe, expect, it } from 'vitest';
import { parseRoleplayCommand, roleplayUsage } from '../../src/roleplay/roleplay-command.js';

const roster = new Map([
  ['ali', { alias: 'ali', id: 'ag:3996db2b:20240805:french-agent:a8997aab', name: 'Ali' }],
  ['jimmy', { alias: 'jimmy', id: 'ag_0123456789abcdef' }],
]);
const limits = { defaultTurns: 6, maxTurns: 20 };

describe('parseRoleplayCommand', () => {
  it('reads agents, turns and a quoted topic', () => {
    const command = parseRoleplayCommand('ali jimmy 4 "first dates"', roster, limits);

    expect(command).toMatchObject({
      kind: 'start',
      first: { alias: 'ali' },
      second: { alias: 'jimmy' },
      turns: 4,
      topic: 'first dates',
    });
  });

  it('defaults the turns and takes raw agent ids', () => {
    const command = parseRoleplayCommand('ag:x:y ali the weather in Paris', roster, limits);

    expect(command).toMatchObject({
      kind: 'start',
      first: { id: 'ag:x:y' },
      turns: 6,
      topic: 'the weather in Paris',
    });
  });

  it('treats a number that is the whole topic as the topic', () => {
    expect(parseRoleplayCommand('ali jimmy 1984', roster, limits)).toMatchObject({
      turns: 6,
      topic: '1984',
    });
  });

  it.each([
    ['', undefined],
    ['help', undefined],
    ['ali', 'Give two agents and a topic.'],
    ['ali jimmy', 'Give two agents and a topic.'],
    ['ali nobody tea', 'I don’t know “nobody”.'],
    ['ali jimmy 0 tea', 'Turns must be between 1 and 20 (ROLEPLAY_MAX_TURNS).'],
    ['ali jimmy 21 tea', 'Turns must be between 1 and 20 (ROLEPLAY_MAX_TURNS).'],
    [`ali jimmy ${'x'.repeat(501)}`, 'Keep the topic under 500 characters.'],
  ])('answers %j with usage', (text, problem) => {
    expect(parseRoleplayCommand(text, roster, limits)).toEqual(
      problem === undefined ? { kind: 'usage' } : { kind: 'usage', problem },
    );
  });

  it('reads stop', () => {
    expect(parseRoleplayCommand(' STOP ', roster, limits)).toEqual({ kind: 'stop' });
  });

  it('shows usage with the limits and the roster', () => {
    const text = roleplayUsage(limits, 'Known agents: ali', 'Give two agents and a topic.');

    expect(text.split('\n')).toEqual([
      'Give two agents and a topic.',
      'Usage: `/roleplay <agentA> <agentB> [turns] <topic>` — e.g. `/roleplay ali jimmy 6 "first dates"`.',
      'Turns default to 6, at most 20. `/roleplay stop` ends the one running here.',
      'Known agents: ali',
    ]);
  });
});
