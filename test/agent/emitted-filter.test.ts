import { describe, expect, it } from 'vitest';
import { createPlaceholderFilter } from '../../src/agent/emitted-filter.js';

function filtered(deltas: readonly string[]): string {
  const filter = createPlaceholderFilter();
  return deltas.map((delta) => filter.push(delta)).join('') + filter.end();
}

describe('the placeholder filter', () => {
  it('drops the Markdown the model writes for a file it made, even cut across deltas', () => {
    expect(filtered(['Here:\n\n![Im', 'age](__emitted', '_0.png)\n\nDone.'])).toBe(
      'Here:\n\n\n\nDone.',
    );
  });

  it('keeps images with a web address as plain links', () => {
    expect(filtered(['see ![a cat](https://example.com/cat.png) ok'])).toBe(
      'see [a cat](https://example.com/cat.png) ok',
    );
  });

  it('lets through exclamations and brackets that are no image', () => {
    expect(filtered(['Wow!', ' [1] yes! ![not closed\nnext'])).toBe(
      'Wow! [1] yes! ![not closed\nnext',
    );
  });

  it('holds nothing back for long once a line ends', () => {
    const filter = createPlaceholderFilter();
    expect(filter.push('text ![x')).toBe('text ');
    expect(filter.push('y\nmore')).toBe('![xy\nmore');
  });
});
