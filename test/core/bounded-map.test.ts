import { describe, expect, it } from 'vitest';
import { setBounded } from '../../src/core/bounded-map.js';

describe('setBounded', () => {
  it('keeps the newest entries, moves a key set again to the newest end, and returns what went', () => {
    const map = new Map<string, number>();
    expect(setBounded(map, 'a', 1, 2)).toBeUndefined();
    expect(setBounded(map, 'b', 2, 2)).toBeUndefined();
    expect(setBounded(map, 'a', 3, 2)).toBeUndefined();
    expect(setBounded(map, 'c', 4, 2)).toBe(2);
    expect([...map]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
  });
});
