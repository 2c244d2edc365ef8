import type { Mistral } from '@mistralai/mistralai';

/** Small pieces the baseline bots (bare Bolt, Chat SDK) and the call tracker share. */

/** The text of an array of `{ type, text }` chunks (Mistral content, Slack stream chunks). */
export function textOfChunks(chunks: readonly unknown[]): string {
  return chunks
    .map((chunk: unknown) =>
      typeof chunk === 'object' &&
      chunk !== null &&
      'text' in chunk &&
      typeof chunk.text === 'string'
        ? chunk.text
        : '',
    )
    .join('');
}

/** A streamed Mistral delta's text, whether it came as a string or as chunks. */
export function deltaText(content: unknown): string {
  if (typeof content === 'string') return content;
  return Array.isArray(content) ? textOfChunks(content) : '';
}

/** An environment variable a bench bot cannot run without. */
export function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

/**
 * A plain bot's call to the agent, as the Conversations API takes it today (what Parley calls
 * too): one user message, nothing stored at Mistral; yields the answer's text deltas.
 */
export async function* agentDeltas(
  sdk: Mistral,
  agentId: string,
  question: string,
): AsyncGenerator<string> {
  const events = await sdk.beta.conversations.startStream({
    agentId,
    inputs: [{ role: 'user', content: question }],
    store: false,
  });
  for await (const event of events) {
    if (event.data.type !== 'message.output.delta') continue;
    const content = event.data.content;
    const text = deltaText(typeof content === 'string' ? content : [content]);
    if (text !== '') yield text;
  }
}
