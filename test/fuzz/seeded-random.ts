/** A small deterministic generator of bad inputs: the same seed gives the same inputs on every run. */

/** The seed every fuzz suite starts from (printed with each category's count). */
export const FUZZ_SEED = 0x5eed_2024;

// Pieces bad text is assembled from: control characters, lone surrogates, invisible and
// right-to-left marks, quotes, Slack/Discord markup fragments, escapes and format strings.
const NASTY_PIECES: readonly string[] = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r\n',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\u200b',
  '\u200d',
  '\u202e',
  '\ufeff',
  '\uffff',
  '😀',
  '👩‍👩‍👧',
  'é',
  'ß',
  '漢字',
  'العربية',
  '"',
  "'",
  '“',
  '”',
  '‘',
  '`',
  '```',
  '\\',
  '\\u0000',
  '%s',
  '%n',
  // A template-injection probe, in two parts so it is not read as a mistaken template.
  '$' + '{process.env}',
  '{{7*7}}',
  '<',
  '>',
  '&',
  '&lt;',
  '&amp;gt;',
  '<@',
  '<@>',
  '<@U0ALICE>',
  '<@U0NOBODY1>',
  '<@W0GHOST>',
  '<@U0ALICE|alice>',
  '<#C0GENERAL|general>',
  '<!here>',
  '<!subteam^S0TEAM>',
  '<https://example.com|a link>',
  '<<<>>>',
  '|',
  '*bold*',
  '_it_',
  '~x~',
  '> quote',
  '# heading',
  '../../etc/passwd',
  '%2e%2e%2f',
  "'; DROP TABLE x; --",
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x1F',
  ' ',
  '    ',
];
const WORDS: readonly string[] = ['hello', 'agent', 'reset', 'help', 'stop', 'main', 'other', 'x'];

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Short hostile text: markup, control characters, lone surrogates, quotes, unicode. */
  text(maxPieces?: number): string;
  /** A JSON-able value of any shape (null, numbers, strings, arrays, objects), nested to `depth`. */
  value(depth?: number): unknown;
}

/** mulberry32: tiny, fast and good enough to vary inputs; not for anything secret. */
export function createRandom(seed: number = FUZZ_SEED): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  const text = (maxPieces = 8): string =>
    Array.from({ length: int(1, maxPieces) }, () =>
      next() < 0.7 ? pick(NASTY_PIECES) : pick(WORDS),
    ).join(next() < 0.5 ? '' : ' ');
  const value = (depth = 2): unknown => {
    const kinds = depth > 0 ? 8 : 6;
    switch (int(0, kinds - 1)) {
      case 0:
        return null;
      case 1:
        return pick([0, -1, 1.5, 1e21, -0, Number.MAX_SAFE_INTEGER + 2]);
      case 2:
        return next() < 0.5;
      case 3:
        return text();
      case 4:
        return '';
      case 5:
        return String(int(0, 1e9));
      case 6:
        return Array.from({ length: int(0, 3) }, () => value(depth - 1));
      default:
        return Object.fromEntries(
          Array.from({ length: int(0, 3) }, () => [pick(WORDS), value(depth - 1)]),
        );
    }
  };
  return { next, int, chance: (probability) => next() < probability, pick, text, value };
}

/** Logs how many inputs a category generated, with the seed, so a run can be reproduced. */
export function reportCount(category: string, count: number, seed: number = FUZZ_SEED): void {
  console.info(`fuzz: ${category}: ${count} inputs (seed 0x${seed.toString(16)})`);
}
