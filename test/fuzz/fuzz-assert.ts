/** What every answer a person sees must be: short, plain, and free of internals and secrets. */
import { expect } from 'vitest';

// Longest reply a refusal needs: the usage text plus the roster, with room to spare.
const MAX_PERSON_TEXT_LENGTH = 2_000;
const STACK_FRAME = /at .*\.ts:/;

/** Fails unless `text` is a short clear message without a stack trace, an `Error:` or a secret. */
export function expectClearText(text: string, secrets: readonly string[]): void {
  expect(text.trim().length).toBeGreaterThan(0);
  expect(text.length).toBeLessThanOrEqual(MAX_PERSON_TEXT_LENGTH);
  expect(text).not.toMatch(STACK_FRAME);
  expect(text).not.toContain('Error:');
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** Fails unless no secret appears anywhere in `text`. */
export function expectNoSecret(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(text.includes(secret), 'a secret was echoed').toBe(false);
}

/** Writes made since `from` that do not belong to one of the `allowed` keys (liveness probes). */
export function strayWrites(
  writes: readonly string[],
  from: number,
  allowed: readonly string[],
): string[] {
  return writes.slice(from).filter((write) => !allowed.some((key) => write.includes(key)));
}
