import { describe, expect, it } from 'vitest';
import { cutStream, openFenceAfter } from '../../../adapters/slack/stream-cut.js';

describe('cutStream', () => {
  it('cuts at the last paragraph break that fits', () => {
    const pending = `${'a'.repeat(40)}\n\n${'b'.repeat(40)}\n\n${'c'.repeat(40)}`;

    const cut = cutStream('', pending, 100);

    expect(cut.head).toBe(`${'a'.repeat(40)}\n\n${'b'.repeat(40)}`);
    expect(cut.tail).toBe('c'.repeat(40));
  });

  it('closes a code fence open at the cut and reopens it with its language', () => {
    const sent = 'Here:\n\n```ts\nconst a = 1;\n';
    const pending = 'const b = 2;\nconst c = 3;\nconst d = 4;\n```\nDone.';

    const cut = cutStream(sent, pending, 40);

    expect(cut.head.endsWith('\n```')).toBe(true);
    expect(cut.tail.startsWith('```ts\n')).toBe(true);
    expect(openFenceAfter(`${sent}${cut.head}`)).toBeUndefined();
  });

  it('loses no text', () => {
    const pending = 'word '.repeat(100);

    const cut = cutStream('', pending, 64);

    expect(`${cut.head} ${cut.tail}`.replace(/\s+/g, ' ').trim()).toBe(pending.trim());
    expect(cut.head.length).toBeLessThanOrEqual(64);
  });
});
