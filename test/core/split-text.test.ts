import { describe, expect, it } from 'vitest';
import { splitMarkdown } from '../../src/core/split-text.js';

const FENCE = /^\s*(```|~~~)/;

function fencesBalanced(message: string): boolean {
  return message.split('\n').filter((line) => FENCE.test(line)).length % 2 === 0;
}

/** The text with the fences the splitter added removed, to compare with the input. */
function words(text: string): string[] {
  return text.split(/\s+/).filter((word) => word !== '' && !FENCE.test(word));
}

function longAnswer(): string {
  const parts: string[] = [];
  for (let index = 0; index < 60; index += 1) {
    parts.push(`Paragraph ${index} ${'lorem ipsum dolor sit amet '.repeat(20)}`);
    parts.push(
      `\`\`\`ts\n${Array.from({ length: 30 }, (_, line) => `const v${index}_${line} = ${line};`).join('\n')}\n\`\`\``,
    );
  }
  return parts.join('\n\n');
}

describe('splitMarkdown', () => {
  it('keeps a short text whole', () => {
    expect(splitMarkdown('hello\n\nworld', 2_000)).toEqual(['hello\n\nworld']);
  });

  it('splits a 45,000-character answer into messages within the limit, fences balanced, nothing lost', () => {
    const text = longAnswer();

    const messages = splitMarkdown(text, 2_000);

    expect(text.length).toBeGreaterThan(45_000);
    expect(messages.every((message) => message.length <= 2_000)).toBe(true);
    expect(messages.every(fencesBalanced)).toBe(true);
    expect(words(messages.join('\n\n'))).toEqual(words(text));
  });

  it('splits between paragraphs rather than inside one', () => {
    const text = `${'a'.repeat(60)}\n\n${'b'.repeat(60)}`;

    expect(splitMarkdown(text, 100)).toEqual(['a'.repeat(60), 'b'.repeat(60)]);
  });

  it('re-opens a long code block, with its language, in the next message', () => {
    const code = Array.from({ length: 40 }, (_, line) => `print(${line})`).join('\n');

    const messages = splitMarkdown(`\`\`\`python\n${code}\n\`\`\``, 120);

    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      expect(message.startsWith('```python\n')).toBe(true);
      expect(message.endsWith('\n```')).toBe(true);
      expect(message.length).toBeLessThanOrEqual(120);
    }
  });

  it('closes a fence left open by a streaming answer', () => {
    const messages = splitMarkdown('Look:\n\n```js\nconst a = 1;', 2_000);

    expect(messages).toEqual(['Look:\n\n```js\nconst a = 1;\n```']);
  });

  it('cuts a single overlong line at spaces, then anywhere', () => {
    const prose = 'word '.repeat(100).trim();
    const blob = 'x'.repeat(250);

    const messages = splitMarkdown(`${prose}\n\n${blob}`, 100);

    expect(messages.every((message) => message.length <= 100)).toBe(true);
    expect(messages.join('').replace(/\s/g, '')).toBe(`${prose}${blob}`.replace(/\s/g, ''));
  });
});
