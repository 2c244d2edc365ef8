/** A reader of Parley's speaker headers, as strict as the framing: who said each part. */

export interface SpokenPart {
  readonly kind: string;
  readonly id: string;
  readonly name: string;
  readonly body: string;
}

// A header is a whole line: ⟦kind id "name"⟧, the id one word, the name without quotes.
const HEADER_LINE = /^⟦(speaker|audience) (\S*) "([^"\n]*)"⟧$/;
const NOTE_LINE = /^⟦(parley|stage)⟧/;

/** Splits framed content into what each header's speaker said; text before any header is skipped. */
export function readSpeakers(content: string): SpokenPart[] {
  const parts: { kind: string; id: string; name: string; lines: string[] }[] = [];
  for (const line of content.split('\n')) {
    const header = HEADER_LINE.exec(line);
    if (header !== null) {
      parts.push({ kind: header[1] ?? '', id: header[2] ?? '', name: header[3] ?? '', lines: [] });
    } else if (NOTE_LINE.test(line)) {
      parts.push({ kind: 'parley', id: '', name: '', lines: [line] });
    } else {
      parts.at(-1)?.lines.push(line);
    }
  }
  return parts
    .filter((part) => part.kind !== 'parley')
    .map(({ kind, id, name, lines }) => ({ kind, id, name, body: lines.join('\n').trim() }));
}

/** Every line that opens a frame (⟦ at its start), whatever follows. */
export function frameOpenings(content: string): string[] {
  return content.split('\n').filter((line) => line.startsWith('⟦'));
}
