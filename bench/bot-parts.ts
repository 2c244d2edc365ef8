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
