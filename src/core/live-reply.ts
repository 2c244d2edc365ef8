import { createCoalescingFlush } from './coalescing-flush.js';
import { splitMarkdown } from './split-text.js';

/** How a platform posts and edits plain messages (the adapter's side of a live reply). */
export interface MessageTransport<Id> {
  post(text: string): Promise<Id>;
  edit(id: Id, text: string): Promise<void>;
}

export interface LiveReplyOptions {
  /** Longest message, as rendered: a part that rendering makes longer is split finer. */
  readonly maxChars: number;
  /** Edits of one reply are at least this far apart (platform edit rate limits). */
  readonly minEditIntervalMs: number;
  /** Markdown → the platform's markup. */
  readonly render: (markdown: string) => string;
  readonly now?: () => number;
}

/** A reply that grows as text streams in: posted, then edited, split across messages when long. */
export interface LiveReply {
  /** Shows a placeholder the first text will replace. */
  placeholder(text: string): Promise<void>;
  /** Adds text; returns at once (posting happens in the background, throttled). */
  append(delta: string): void;
  /** Shows a status line under the text (a tool running), or removes it; never in the final text. */
  status(label: string | undefined): void;
  /** Posts everything still pending; rejects if any post or edit failed. */
  finish(): Promise<void>;
  /** Shows a notice: in place of the placeholder, or after the text already shown. */
  fail(notice: string): Promise<void>;
  /** True once any message of this reply is visible. */
  readonly hasPosted: boolean;
}

interface Posted<Id> {
  readonly id: Id;
  text: string;
}

/**
 * Keeps the visible messages equal to the split, rendered answer so far. The split is
 * recomputed over the whole text, so a message is only edited when its part changed,
 * and at most one post or edit is in flight at a time; changes meanwhile are coalesced.
 */
export function createLiveReply<Id>(
  transport: MessageTransport<Id>,
  options: LiveReplyOptions,
): LiveReply {
  const posted: Posted<Id>[] = [];
  let markdown = '';
  let statusLine: string | undefined;
  // The last status line: what a message that got no words after it says once it is done.
  let lastStatus: string | undefined;
  let hasPlaceholder = false;

  function shown(): string {
    if (statusLine === undefined) return markdown;
    const line = `_${statusLine}_`;
    return markdown.trim() === '' ? line : `${markdown.trimEnd()}\n\n${line}`;
  }

  async function sync(): Promise<void> {
    const parts = renderedParts(shown(), options);
    for (const [index, text] of parts.entries()) {
      const message = posted[index];
      if (message === undefined) posted.push({ id: await transport.post(text), text });
      else await show(message, text);
    }
    // A message that showed only a status line, and no words after it: the tool is done.
    if (lastStatus === undefined) return;
    const done = options.render(`_${lastStatus} done_`);
    for (const message of posted.slice(parts.length)) await show(message, done);
  }

  async function show(message: Posted<Id>, text: string): Promise<void> {
    if (message.text === text) return;
    await transport.edit(message.id, text);
    message.text = text;
  }
  const flusher = createCoalescingFlush(sync, options.minEditIntervalMs, options.now);

  return {
    async placeholder(text) {
      if (posted.length > 0) return;
      posted.push({ id: await transport.post(text), text });
      hasPlaceholder = true;
    },
    append(delta) {
      markdown += delta;
      if (markdown.trim() !== '') flusher.request();
    },
    status(label) {
      if (label === statusLine) return;
      statusLine = label;
      lastStatus = label ?? lastStatus;
      // A tool that finished before any words: its line says done until the words arrive.
      if (shown().trim() !== '' || posted.length > 0) flusher.request();
    },
    async finish() {
      statusLine = undefined;
      if (markdown.trim() === '' && lastStatus === undefined) {
        await flusher.stop();
        // An answer of files only: the placeholder says where the answer is, not "Thinking…".
        const first = posted[0];
        if (hasPlaceholder && first !== undefined) await show(first, options.render(FILES_ONLY));
        return;
      }
      await flusher.settle();
    },
    async fail(notice) {
      statusLine = undefined;
      // Show what was said before the failure (unless posting is what failed).
      if (markdown.trim() === '') await flusher.stop();
      else await flusher.settle().catch(() => undefined);
      const first = posted[0];
      if (first !== undefined && markdown.trim() === '') {
        await transport.edit(first.id, notice);
        first.text = notice;
      } else {
        await transport.post(notice);
      }
    },
    get hasPosted() {
      return posted.length > 0;
    },
  };
}

// What a placeholder becomes when the answer had no words, only files (posted below it).
const FILES_ONLY = '_The answer is in the files below._';

// splitMarkdown refuses limits below this.
const MIN_SPLIT_CHARS = 64;

/** The answer as the platform's messages: split, rendered, each within the limit once rendered. */
function renderedParts(markdown: string, options: LiveReplyOptions): string[] {
  return splitMarkdown(markdown, options.maxChars).flatMap((part) => fitted(part, options));
}

/** One part rendered; rendering adds characters (a wrapped link), so an overgrown part is cut finer. */
function fitted(part: string, options: LiveReplyOptions): string[] {
  const rendered = options.render(part);
  const over = rendered.length - options.maxChars;
  if (over <= 0 || part.length <= MIN_SPLIT_CHARS) return [rendered];
  const limit = Math.max(MIN_SPLIT_CHARS, part.length - over);
  return splitMarkdown(part, limit).flatMap((piece) => fitted(piece, options));
}
