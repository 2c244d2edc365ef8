import {
  type Fields,
  isObject,
  type Loc,
  missing,
  notOneOf,
  requiredString,
  valueError,
  wrongType,
} from './field-issues.js';
import type { FieldIssue } from './wire.js';

/**
 * The entries a conversation's `inputs` list may hold (components/inputentries.ts), checked as the
 * API checks them. `type` may be left out, as Mistral's own examples do; the shape then decides.
 */

export const ENTRY_TYPES = [
  'message.input',
  'message.output',
  'function.call',
  'function.result',
  'tool.execution',
  'agent.handoff',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

const INPUT_CHUNK_TYPES = ['text', 'image_url', 'document_url', 'tool_file', 'thinking'];
const OUTPUT_CHUNK_TYPES = [...INPUT_CHUNK_TYPES, 'tool_reference'];
const HTTP_URL = /^https?:\/\/[^\s/]+/i;
const IMAGE_DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;
const DATA_URL = /^data:[a-z0-9.+-]+\/[a-z0-9.+-]+;base64,/i;

/** The entry's type: as given, or as its fields imply. */
export function entryType(entry: Fields): EntryType | undefined {
  const given = entry.type;
  if (given !== undefined) return isEntryType(given) ? given : undefined;
  if ('role' in entry) return 'message.input';
  if ('tool_call_id' in entry) return 'result' in entry ? 'function.result' : 'function.call';
  if ('previous_agent_id' in entry) return 'agent.handoff';
  if ('name' in entry && 'arguments' in entry) return 'tool.execution';
  return undefined;
}

/** Every field problem of one entry of `inputs`. */
export function entryIssues(entry: unknown, loc: Loc): FieldIssue[] {
  if (!isObject(entry)) return [wrongType(loc, 'dictionary', entry)];
  const type = entryType(entry);
  if (type === undefined) {
    const expected = ENTRY_TYPES.map((name) => `'${name}'`).join(', ');
    const msg = `Input tag '${String(entry.type)}' found using 'type' does not match any of the expected tags: ${expected}`;
    return [{ type: 'union_tag_invalid', loc, msg, input: entry }];
  }
  const at = [...loc, type];
  const objectIssues =
    entry.object === undefined || entry.object === 'entry'
      ? []
      : [notOneOf([...at, 'object'], ['entry'], entry.object)];
  return [...objectIssues, ...FIELD_CHECKS[type](entry, at)];
}

const FIELD_CHECKS: Readonly<Record<EntryType, (entry: Fields, loc: Loc) => FieldIssue[]>> = {
  'message.input': (entry, loc) => [
    ...roleIssues(entry, loc),
    ...contentIssues(entry, loc, INPUT_CHUNK_TYPES),
    ...(entry.prefix === undefined || typeof entry.prefix === 'boolean'
      ? []
      : [wrongType([...loc, 'prefix'], 'boolean', entry.prefix)]),
  ],
  'message.output': (entry, loc) => [
    ...(entry.role === undefined || entry.role === 'assistant'
      ? []
      : [notOneOf([...loc, 'role'], ['assistant'], entry.role)]),
    ...contentIssues(entry, loc, OUTPUT_CHUNK_TYPES),
  ],
  'function.call': (entry, loc) => [
    ...requiredString(entry, 'tool_call_id', loc),
    ...requiredString(entry, 'name', loc),
    ...argumentIssues(entry, loc),
  ],
  'function.result': (entry, loc) => [
    ...requiredString(entry, 'tool_call_id', loc),
    ...requiredString(entry, 'result', loc),
  ],
  'tool.execution': (entry, loc) => [
    ...requiredString(entry, 'name', loc),
    ...requiredString(entry, 'arguments', loc),
  ],
  'agent.handoff': (entry, loc) =>
    ['previous_agent_id', 'previous_agent_name', 'next_agent_id', 'next_agent_name'].flatMap(
      (key) => requiredString(entry, key, loc),
    ),
};

function roleIssues(entry: Fields, loc: Loc): FieldIssue[] {
  if (!('role' in entry)) return [missing([...loc, 'role'], entry)];
  const isRole = entry.role === 'user' || entry.role === 'assistant';
  return isRole ? [] : [notOneOf([...loc, 'role'], ['assistant', 'user'], entry.role)];
}

function argumentIssues(entry: Fields, loc: Loc): FieldIssue[] {
  if (!('arguments' in entry)) return [missing([...loc, 'arguments'], entry)];
  const args = entry.arguments;
  return typeof args === 'string' || isObject(args)
    ? []
    : [wrongType([...loc, 'arguments'], 'string or dictionary', args)];
}

function contentIssues(entry: Fields, loc: Loc, chunkTypes: readonly string[]): FieldIssue[] {
  const at = [...loc, 'content'];
  if (!('content' in entry)) return [missing(at, entry)];
  const content = entry.content;
  if (typeof content === 'string') return [];
  if (!Array.isArray(content)) return [wrongType(at, 'string or list of chunks', content)];
  return content.flatMap((chunk: unknown, index) => chunkIssues(chunk, [...at, index], chunkTypes));
}

function chunkIssues(chunk: unknown, loc: Loc, chunkTypes: readonly string[]): FieldIssue[] {
  const type = isObject(chunk) ? chunk.type : undefined;
  if (!isObject(chunk) || typeof type !== 'string' || !chunkTypes.includes(type)) {
    const expected = chunkTypes.map((name) => `'${name}'`).join(', ');
    const msg = `Input tag '${String(type)}' found using 'type' does not match any of the expected tags: ${expected}`;
    return [{ type: 'union_tag_invalid', loc, msg, input: chunk }];
  }
  const at = [...loc, type];
  switch (type) {
    case 'text':
      return requiredString(chunk, 'text', at);
    case 'image_url':
      return imageIssues(chunk.image_url, [...at, 'image_url']);
    case 'document_url':
      return urlIssues(chunk, 'document_url', at, DATA_URL);
    case 'tool_file':
      return [...requiredString(chunk, 'tool', at), ...requiredString(chunk, 'file_id', at)];
    case 'tool_reference':
      return [...requiredString(chunk, 'tool', at), ...requiredString(chunk, 'title', at)];
    default:
      return 'thinking' in chunk ? [] : [missing([...at, 'thinking'], chunk)];
  }
}

/** `image_url` is a URL string or `{ url, detail? }`; the URL is http(s) or a base64 image. */
function imageIssues(image: unknown, loc: Loc): FieldIssue[] {
  if (image === undefined) return [missing(loc, image)];
  if (isObject(image)) return urlIssues(image, 'url', loc, IMAGE_DATA_URL);
  if (typeof image !== 'string') return [wrongType(loc, 'string or dictionary', image)];
  return isUrl(image, IMAGE_DATA_URL)
    ? []
    : [valueError(loc, 'image_url must be an http(s) URL or a base64 data:image URL', image)];
}

function urlIssues(holder: Fields, key: string, loc: Loc, dataUrl: RegExp): FieldIssue[] {
  const typeIssues = requiredString(holder, key, loc);
  if (typeIssues.length > 0) return typeIssues;
  const url = holder[key] as string;
  return isUrl(url, dataUrl)
    ? []
    : [valueError([...loc, key], `${key} must be an http(s) URL or a base64 data URL`, url)];
}

function isUrl(url: string, dataUrl: RegExp): boolean {
  return (HTTP_URL.test(url) && URL.canParse(url)) || dataUrl.test(url);
}

function isEntryType(value: unknown): value is EntryType {
  return typeof value === 'string' && (ENTRY_TYPES as readonly string[]).includes(value);
}
