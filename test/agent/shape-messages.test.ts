import { describe, expect, it } from 'vitest';
import { contentToText, shapeMessages } from '../../src/agent/shape-messages.js';
import { assistantLine, userMessage } from '../support/messages.js';

describe('shapeMessages', () => {
  it('merges consecutive same-role lines and ends on a user line', () => {
    const history = [
      userMessage('a'),
      userMessage('b'),
      assistantLine('c'),
      assistantLine('d'),
      userMessage('e'),
    ];

    const shaped = shapeMessages(history, { isShared: false });

    expect(shaped).toEqual([
      { role: 'user', content: 'a\n\nb' },
      { role: 'assistant', content: 'c\n\nd' },
      { role: 'user', content: 'e' },
    ]);
  });

  it('puts the speaker’s name on user lines in shared threads only', () => {
    const grace = userMessage('hi', { author: { id: 'U2', name: 'Grace', isBot: false } });

    expect(shapeMessages([grace], { isShared: true })).toEqual([
      { role: 'user', content: 'Grace: hi' },
    ]);
    expect(shapeMessages([grace], { isShared: false })).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('drops empty lines and leading or trailing assistant lines', () => {
    const history = [
      assistantLine('earlier'),
      userMessage('  '),
      userMessage('q'),
      assistantLine('a'),
    ];

    expect(shapeMessages(history, { isShared: false })).toEqual([{ role: 'user', content: 'q' }]);
  });

  it('mentions attachments so the agent knows they exist', () => {
    const message = userMessage('see', {
      attachments: [{ name: 'a.png', url: 'https://f/a.png' }],
    });

    expect(shapeMessages([message], { isShared: false })[0]?.content).toBe(
      'see\n[attachment: a.png https://f/a.png]',
    );
  });
});

describe('contentToText', () => {
  it('reads plain strings and the text parts of chunk lists', () => {
    expect(contentToText('hi')).toBe('hi');
    expect(
      contentToText([
        { type: 'text', text: 'a' },
        { type: 'image_url' },
        { type: 'text', text: 'b' },
      ]),
    ).toBe('ab');
    expect(contentToText(null)).toBe('');
  });
});
