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
