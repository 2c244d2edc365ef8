import { describe, expect, it } from 'vitest';
import { parseParleyCommand } from '../../../adapters/slack/slack-commands.js';

describe('parseParleyCommand', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['  RESET ', { kind: 'reset' }],
    ['agent', { kind: 'agent', nameOrId: undefined }],
    ['agent  french ', { kind: 'agent', nameOrId: 'french' }],
    [
      'agent ag:3996db2b:20240805:french-agent:a8997aab',
      { kind: 'agent', nameOrId: 'ag:3996db2b:20240805:french-agent:a8997aab' },
    ],
    ['dance now', { kind: 'unknown', word: 'dance' }],
  ])('reads %j', (text, expected) => {
    expect(parseParleyCommand(text)).toEqual(expected);
  });
});
