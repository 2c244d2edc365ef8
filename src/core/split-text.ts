/**
 * Splits Markdown into messages that each fit a platform's length limit: between paragraphs
 * or code blocks where possible, never leaving a code fence open (a fence cut in two is closed
 * and re-opened, with its language, in the next message). Nothing is dropped.
 */
export function splitMarkdown(text: string, limit: number): string[] {
  if (limit < MIN_LIMIT) throw new RangeError(`limit must be at least ${MIN_LIMIT}`);
  const pieces = parseBlocks(text).flatMap((block) => fitBlock(block, limit));
  return packPieces(pieces, limit);
}

// Room for a fence line, a closing fence and a little text.
const MIN_LIMIT = 64;
const FENCE_PATTERN = /^(\s*)(`{3,}|~{3,})(.*)$/;
const PARAGRAPH_GAP = '\n\n';

interface Block {
  readonly kind: 'text' | 'code';
  /** For code: the opening fence line, e.g. "```ts". */
  readonly fence: string;
  readonly lines: readonly string[];
}

/** Cuts text into paragraphs and fenced code blocks (a code block may hold blank lines). */
function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let current: string[] = [];
  let fence: { line: string; marker: string } | undefined;
  const flush = (kind: Block['kind']): void => {
    if (current.length > 0) blocks.push({ kind, fence: fence?.line ?? '', lines: current });
    current = [];
  };
  for (const line of text.split('\n')) {
    const match = FENCE_PATTERN.exec(line);
    if (fence === undefined && match) {
      flush('text');
      fence = { line: line.trimStart(), marker: match[2] ?? '```' };
    } else if (fence !== undefined && match && line.trim() === fence.marker) {
      flush('code');
      fence = undefined;
    } else if (fence === undefined && line.trim() === '') {
      flush('text');
    } else {
      current.push(line);
    }
  }
  // An unclosed fence (a streaming answer mid-block) is still code.
  if (fence !== undefined) flush('code');
  else flush('text');
  return blocks;
}

/** Renders a block as one or more pieces, each within the limit. */
function fitBlock(block: Block, limit: number): string[] {
  if (block.kind === 'text') return splitLong(block.lines.join('\n'), limit);
  const marker = FENCE_PATTERN.exec(block.fence)?.[2] ?? '```';
  const overhead = block.fence.length + marker.length + 2;
  const bodies = packLines(block.lines, limit - overhead);
  return bodies.map((body) => `${block.fence}\n${body}\n${marker}`);
}

/** Packs lines into bodies of at most `limit` characters, cutting overlong lines. */
function packLines(lines: readonly string[], limit: number): string[] {
  const bodies: string[] = [];
  let body: string | undefined;
  for (const line of lines.flatMap((entry) => hardSplit(entry, limit))) {
    if (body !== undefined && body.length + 1 + line.length <= limit) {
      body = `${body}\n${line}`;
    } else {
      if (body !== undefined) bodies.push(body);
      body = line;
    }
  }
  if (body !== undefined) bodies.push(body);
  return bodies;
}

/** Splits prose over the limit at line breaks, then at spaces, then anywhere. */
function splitLong(text: string, limit: number): string[] {
  if (text.length <= limit) return [text];
  const lines = text.split('\n').flatMap((line) => splitAtSpaces(line, limit));
  return packLines(lines, limit);
}

function splitAtSpaces(line: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > limit) {
    const cut = rest.lastIndexOf(' ', limit);
    const at = cut > limit / 2 ? cut : limit;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at === cut ? at + 1 : at);
  }
  parts.push(rest);
  return parts;
}

function hardSplit(line: string, limit: number): string[] {
  const parts: string[] = [];
  for (let start = 0; start < line.length; start += limit)
    parts.push(line.slice(start, start + limit));
  return parts.length > 0 ? parts : [''];
}

/** Joins pieces into messages, a blank line apart, without passing the limit. */
function packPieces(pieces: readonly string[], limit: number): string[] {
  const messages: string[] = [];
  let message: string | undefined;
  for (const piece of pieces) {
    if (message !== undefined && message.length + PARAGRAPH_GAP.length + piece.length <= limit) {
      message = `${message}${PARAGRAPH_GAP}${piece}`;
    } else {
      if (message !== undefined) messages.push(message);
      message = piece;
    }
  }
  if (message !== undefined) messages.push(message);
  return messages;
}
