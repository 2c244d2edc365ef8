import type { Attachment, Message } from '../core/model.js';
import type { PreparedFile } from './agent-client.js';

/** A message as Mistral takes it: its text, and the files that go with it as their own chunks. */
export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly files?: readonly PreparedFile[];
}

export interface ShapeOptions {
  /**
   * Several people talk here: each user line gets a speaker header the text cannot forge.
   * Unshared, texts pass as they are: a DM has one person, and a play frames its own lines.
   */
  readonly isShared: boolean;
  /** The prepared files of the messages, by message id. */
  readonly files?: ReadonlyMap<string, readonly PreparedFile[]>;
}

/** Who a framed line is from: a person or agent in the conversation, or the audience of a play. */
export type SpeakerKind = 'speaker' | 'audience';

// Mistral merges consecutive same-role messages with a blank line, so structure cannot tell
// speakers apart: a header in marks only Parley writes does. People's text keeps none of them.
const FRAME_OPEN = '⟦';
const FRAME_CLOSE = '⟧';
const FRAME_MARKS = /[⟦⟧〚〛]/g;
const PLAIN_BRACKETS: Readonly<Record<string, string>> = {
  '⟦': '[',
  '〚': '[',
  '⟧': ']',
  '〛': ']',
};
// Every control character (newlines included) and line separator is one UTF-16 unit: swapping
// each for a space keeps a header on one line and its length unchanged.
const LINE_BREAKS = /[\p{Cc}\u2028\u2029]/gu;
const ID_SPACES = /\s/g;
const DOUBLE_QUOTES = /"/g;
const UNIT_SEPARATOR = '\n\n';

/** Told once, first, in a shared thread: how to read the headers. */
export const SHARED_THREAD_NOTE = `${FRAME_OPEN}parley${FRAME_CLOSE} Several people write here: each one's message starts with a line ${FRAME_OPEN}speaker ID "NAME"${FRAME_CLOSE} that only Parley can write, and the ID tells apart people who share a name.`;

/**
 * Shapes a history the way Mistral requires: no empty lines, consecutive same-role lines
 * merged, the first and the last message from the user. In a shared thread every user line
 * starts with its speaker's header, and the first message with the note that explains them.
 */
export function shapeMessages(history: readonly Message[], options: ShapeOptions): ChatMessage[] {
  const lines = history
    .map((message) => lineOf(message, options))
    .filter((line) => line.content.trim() !== '' || line.files !== undefined);
  const merged = mergeSameRole(lines);
  while (merged[0]?.role === 'assistant') merged.shift();
  while (merged.at(-1)?.role === 'assistant') merged.pop();
  const first = merged[0];
  if (options.isShared && first !== undefined)
    merged[0] = { ...first, content: `${SHARED_THREAD_NOTE}${UNIT_SEPARATOR}${first.content}` };
  return merged;
}

function lineOf(message: Message, options: ShapeOptions): ChatMessage {
  const files = options.files?.get(message.id)?.filter((file) => file.kind !== 'named');
  const content = renderLine(message, options);
  if (message.role !== 'user' || files === undefined || files.length === 0)
    return { role: message.role, content };
  return { role: message.role, content, files };
}

function renderLine(message: Message, options: ShapeOptions): string {
  if (!options.isShared) return renderBody(message.text, message.attachments, (text) => text);
  const body = renderBody(message.text, message.attachments, withoutFrameMarks);
  if (body === '' || message.role !== 'user') return body;
  return frameLine(speakerHeader('speaker', message.author.id, message.author.name), body);
}

function renderBody(
  text: string,
  attachments: readonly Attachment[],
  clean: (text: string) => string,
): string {
  const files = attachments.map((file) => attachmentLine(file, clean));
  return [clean(text.trim()), ...files].filter((part) => part !== '').join('\n');
}

function attachmentLine(file: Attachment, clean: (text: string) => string): string {
  return `[attachment: ${oneLine(clean(file.name))}]`;
}

/** A header line naming who speaks; the id tells apart speakers who share a name. */
export function speakerHeader(kind: SpeakerKind, id: string, name: string): string {
  const cleanId = oneLine(withoutFrameMarks(id)).replace(ID_SPACES, '_');
  const cleanName = oneLine(withoutFrameMarks(name)).replace(DOUBLE_QUOTES, "'");
  return `${FRAME_OPEN}${kind} ${cleanId} "${cleanName}"${FRAME_CLOSE}`;
}

/** The header line for Parley's own words (a play's stage directions and cues). */
export const STAGE_HEADER = `${FRAME_OPEN}stage${FRAME_CLOSE}`;

/** A header line, then the body on the lines after it. */
export function frameLine(header: string, body: string): string {
  return `${header}\n${body}`;
}

/** Text people wrote with every frame mark (and look-alike) made a plain bracket. */
export function withoutFrameMarks(text: string): string {
  return text.replace(FRAME_MARKS, (mark) => PLAIN_BRACKETS[mark] ?? ' ');
}

function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, ' ');
}

/** Characters each part of a line adds to a request, besides the texts and names themselves. */
export const FRAME_CHARS: {
  readonly message: number;
  readonly speaker: number;
  readonly attachment: number;
} = {
  /** The blank line that joins it to the line before. */
  message: UNIT_SEPARATOR.length,
  /** A user line's header and the line break after it. */
  speaker: frameLine(speakerHeader('speaker', '', ''), '').length,
  /** An attachment line and the line break before it. */
  attachment: `\n${attachmentLine({ name: '', ref: '' }, (text) => text)}`.length,
};

/**
 * The most characters a message takes in a request: its text, its attachment lines and, for a
 * user line, its speaker header (counted even where none is sent). Cleaning never changes a
 * length, so this bounds what `shapeMessages` sends; the Redis store counts the same in Lua.
 */
export function sentChars(message: Message): number {
  const files = message.attachments.reduce(
    (sum, file) => sum + FRAME_CHARS.attachment + file.name.length,
    0,
  );
  const header =
    message.role === 'user'
      ? FRAME_CHARS.speaker + message.author.id.length + message.author.name.length
      : 0;
  return FRAME_CHARS.message + message.text.length + files + header;
}

/** The start and end of the note that closes a cut text, around how far over it was. */
export const CUT_NOTE = {
  before: '\n[… message cut: ',
  after: ' characters over the limit]',
} as const;

/**
 * `text` made `overBy` characters shorter, note included: the start is kept (never half a
 * character) and a last line says how far over the limit it was, so the agent knows.
 */
export function cutText(text: string, overBy: number): string {
  const note = `${CUT_NOTE.before}${overBy}${CUT_NOTE.after}`;
  const keep = Math.max(0, text.length - overBy - note.length);
  const end = isHighSurrogate(text.charCodeAt(keep - 1)) ? keep - 1 : keep;
  return `${text.slice(0, end)}${note}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Joins consecutive lines of one role into one message, paragraphs apart. */
export function mergeSameRole(lines: readonly ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const line of lines) {
    const last = merged.at(-1);
    if (last?.role === line.role) {
      const files = [...(last.files ?? []), ...(line.files ?? [])];
      merged[merged.length - 1] = {
        role: line.role,
        content: [last.content, line.content].filter((part) => part !== '').join(UNIT_SEPARATOR),
        ...(files.length === 0 ? {} : { files }),
      };
    } else {
      merged.push(line);
    }
  }
  return merged;
}

/** Streamed or complete content may be a string or a list of chunks; only text chunks count. */
export function contentToText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map(chunkText).join('');
}

function chunkText(chunk: unknown): string {
  if (typeof chunk !== 'object' || chunk === null) return '';
  const { type, text } = chunk as { type?: unknown; text?: unknown };
  return type === 'text' && typeof text === 'string' ? text : '';
}
