/** Slack's content rules for messages, Block Kit and streaming chunks. Errors are Slack's codes. */
import { type Args, stringArg } from './args.js';

/** chat.postMessage / chat.update: "text … truncated at 40,000 characters"; past it, `msg_too_long`. */
export const SLACK_MAX_TEXT_LENGTH = 40_000;
/** chat.startStream / appendStream / stopStream: "Limit this field to 12,000 characters". */
export const SLACK_MAX_STREAM_TEXT_LENGTH = 12_000;
/** Block Kit: "up to 50 blocks in each message". */
export const SLACK_MAX_BLOCKS = 50;
/** Block Kit section: text "maximum length … is 3000 characters"; fields up to 10 of 2000. */
export const SLACK_MAX_SECTION_TEXT_LENGTH = 3_000;
export const SLACK_MAX_SECTION_FIELDS = 10;
export const SLACK_MAX_SECTION_FIELD_LENGTH = 2_000;
/** Block Kit header: plain_text of at most 150 characters. */
export const SLACK_MAX_HEADER_TEXT_LENGTH = 150;
/** Block Kit markdown block: at most 12,000 characters. */
export const SLACK_MAX_MARKDOWN_BLOCK_LENGTH = 12_000;
/** Block Kit context: at most 10 elements; actions: at most 25. */
export const SLACK_MAX_CONTEXT_ELEMENTS = 10;
export const SLACK_MAX_ACTIONS_ELEMENTS = 25;
/** Block Kit: block_id "maximum length … is 255 characters". */
export const SLACK_MAX_BLOCK_ID_LENGTH = 255;

const KNOWN_BLOCK_TYPES = new Set([
  'actions',
  'context',
  'context_actions',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

export type Rejection = { readonly error: string };
export type MessageContent = { readonly text: string; readonly blocks: unknown[] | undefined };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTextObject(value: unknown, maxLength: number, plainOnly = false): boolean {
  if (!isRecord(value) || typeof value.text !== 'string') return false;
  const typeOk = value.type === 'plain_text' || (!plainOnly && value.type === 'mrkdwn');
  return typeOk && value.text.length > 0 && value.text.length <= maxLength;
}

function isValidSection(block: Record<string, unknown>): boolean {
  const { text, fields } = block;
  if (text === undefined && fields === undefined) return false;
  if (text !== undefined && !isTextObject(text, SLACK_MAX_SECTION_TEXT_LENGTH)) return false;
  if (fields === undefined) return true;
  return (
    Array.isArray(fields) &&
    fields.length <= SLACK_MAX_SECTION_FIELDS &&
    fields.every((field) => isTextObject(field, SLACK_MAX_SECTION_FIELD_LENGTH))
  );
}

function hasElements(block: Record<string, unknown>, max: number): boolean {
  const { elements } = block;
  return Array.isArray(elements) && elements.length > 0 && elements.length <= max;
}

function isValidBlock(block: unknown): boolean {
  if (!isRecord(block) || typeof block.type !== 'string' || !KNOWN_BLOCK_TYPES.has(block.type)) {
    return false;
  }
  const { block_id: blockId } = block;
  if (
    blockId !== undefined &&
    (typeof blockId !== 'string' || blockId.length > SLACK_MAX_BLOCK_ID_LENGTH)
  ) {
    return false;
  }
  switch (block.type) {
    case 'section':
      return isValidSection(block);
    case 'header':
      return isTextObject(block.text, SLACK_MAX_HEADER_TEXT_LENGTH, true);
    case 'markdown':
      return typeof block.text === 'string' && block.text.length <= SLACK_MAX_MARKDOWN_BLOCK_LENGTH;
    case 'context':
      return hasElements(block, SLACK_MAX_CONTEXT_ELEMENTS);
    case 'actions':
      return hasElements(block, SLACK_MAX_ACTIONS_ELEMENTS);
    default:
      return true;
  }
}

/** The `blocks` argument checked against Block Kit's limits; `undefined` when absent. */
export function readBlocks(args: Args): unknown[] | undefined | Rejection {
  const { blocks } = args;
  if (blocks === undefined || blocks === '') return undefined;
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format' };
  if (blocks.length > SLACK_MAX_BLOCKS || !blocks.every(isValidBlock)) {
    return { error: 'invalid_blocks' };
  }
  return blocks;
}

export function isRejection(value: unknown): value is Rejection {
  return isRecord(value) && typeof value.error === 'string';
}

/** `text` and `blocks` of chat.postMessage / update / postEphemeral: one of them (or attachments) is required. */
export function readMessageContent(args: Args): MessageContent | Rejection {
  const blocks = readBlocks(args);
  if (isRejection(blocks)) return blocks;
  const text = stringArg(args, 'text') ?? '';
  if (text.length > SLACK_MAX_TEXT_LENGTH) return { error: 'msg_too_long' };
  const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
  if (text === '' && blocks === undefined && !hasAttachments) return { error: 'no_text' };
  return { text, blocks };
}

function chunkText(chunk: unknown): string | Rejection {
  if (!isRecord(chunk) || typeof chunk.type !== 'string') return { error: 'invalid_chunks' };
  if (chunk.type !== 'markdown_text') return '';
  if (typeof chunk.text !== 'string') return { error: 'invalid_chunks' };
  return chunk.text.length > SLACK_MAX_STREAM_TEXT_LENGTH ? { error: 'msg_too_long' } : chunk.text;
}

/**
 * The Markdown a *Stream call adds: `markdown_text` then any `markdown_text` chunks.
 * `provided` is false when the call carried neither.
 */
export function readStreamText(args: Args): { text: string; provided: boolean } | Rejection {
  const markdown = typeof args.markdown_text === 'string' ? args.markdown_text : undefined;
  if (markdown !== undefined && markdown.length > SLACK_MAX_STREAM_TEXT_LENGTH) {
    return { error: 'msg_too_long' };
  }
  const { chunks } = args;
  if (chunks !== undefined && !Array.isArray(chunks)) return { error: 'invalid_chunks' };
  let text = markdown ?? '';
  for (const chunk of chunks ?? []) {
    const piece = chunkText(chunk);
    if (isRejection(piece)) return piece;
    text += piece;
  }
  return { text, provided: markdown !== undefined || (chunks ?? []).length > 0 };
}
