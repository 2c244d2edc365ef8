import type { Message } from '../core/model.js';

/** A message as Mistral's chat endpoints take it. */
export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

export interface ShapeOptions {
  /** Prefix user lines with the speaker's name so the agent can tell people apart. */
  readonly isShared: boolean;
}

/**
 * Shapes a history the way Mistral requires: no empty lines, consecutive same-role lines
 * merged, the first and the last message from the user.
 */
export function shapeMessages(history: readonly Message[], options: ShapeOptions): ChatMessage[] {
  const lines = history
    .map((message) => ({ role: message.role, content: renderLine(message, options) }))
    .filter((line) => line.content.trim() !== '');
  const merged = mergeSameRole(lines);
  while (merged[0]?.role === 'assistant') merged.shift();
  while (merged.at(-1)?.role === 'assistant') merged.pop();
  return merged;
}

function renderLine(message: Message, options: ShapeOptions): string {
  const attachments = message.attachments.map((file) => `[attachment: ${file.name} ${file.url}]`);
  const text = [message.text.trim(), ...attachments].filter((part) => part !== '').join('\n');
  if (text === '' || message.role !== 'user' || !options.isShared) return text;
  return `${message.author.name}: ${text}`;
}

/** Joins consecutive lines of one role into one message, paragraphs apart. */
export function mergeSameRole(lines: readonly ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const line of lines) {
    const last = merged.at(-1);
    if (last?.role === line.role) {
      merged[merged.length - 1] = {
        role: line.role,
        content: `${last.content}\n\n${line.content}`,
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
