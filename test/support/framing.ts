import { SHARED_THREAD_NOTE } from '../../src/agent/shape-messages.js';

// Parley's speaker headers (src/agent/shape-messages.ts): `⟦speaker ID "NAME"⟧` then the line.
const HEADER_PATTERN = /⟦(speaker|audience) [^⟧\n]* "([^"⟧\n]*)"⟧\n/g;

/**
 * A request's text with Parley's framing read back as `Name: text` (`Name (audience): text` for
 * a play's audience), for tests that check who said what rather than the framing itself.
 */
export function plainText(content: unknown): string {
  return String(content)
    .replace(`${SHARED_THREAD_NOTE}\n\n`, '')
    .replace(HEADER_PATTERN, (_header, kind: string, name: string) =>
      kind === 'audience' ? `${name} (audience): ` : `${name}: `,
    );
}

/** A recorded message with its content read back by `plainText`. */
export function plainMessage<M extends { readonly content: unknown }>(message: M): M {
  return { ...message, content: plainText(message.content) };
}
