import { parse } from 'yaml';
import { isRecord } from '../core/guards.js';
import { checkHandoffs } from './handoff-order.js';

/** A tool an agent may call, as declared in the agents file. */
export type ToolSpec =
  | { readonly type: 'web_search' | 'code_interpreter' | 'image_generation' }
  | { readonly type: 'document_library'; readonly libraryIds: readonly string[] };

/** One few-shot exchange shown to the model before the real conversation. */
export interface Demonstration {
  readonly user: string;
  readonly assistant: string;
}

/** One agent of the agents file, validated. */
export interface AgentSpec {
  readonly alias: string;
  readonly name: string;
  readonly model: string;
  readonly instructions?: string;
  readonly description?: string;
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly tools: readonly ToolSpec[];
  /** Other aliases of the same file this agent may hand the conversation to. */
  readonly handoffs: readonly string[];
  readonly demonstrations: readonly Demonstration[];
  readonly avatar?: string;
}

export type AgentsFileResult =
  | { readonly ok: true; readonly agents: readonly AgentSpec[] }
  | { readonly ok: false; readonly problems: readonly string[] };

// The roster's alias rule (src/config/roster.ts), lower case so the file and the roster agree.
const ALIAS_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const HTTPS_URL_PATTERN = /^https:\/\/\S+$/;
const JSON_FILE_PATTERN = /\.json$/i;
const SIMPLE_TOOLS = ['web_search', 'code_interpreter', 'image_generation'] as const;
const ALL_TOOLS = [...SIMPLE_TOOLS, 'document_library'] as const;
const KNOWN_FIELDS = new Set([
  'name',
  'model',
  'instructions',
  'description',
  'temperature',
  'top_p',
  'max_tokens',
  'tools',
  'handoffs',
  'demonstrations',
  'avatar',
]);

/** Parses and validates a whole agents file (YAML, or JSON by its extension), every problem at once. */
export function parseAgentsFile(text: string, fileName: string): AgentsFileResult {
  const document = parseDocument(text, fileName);
  if (typeof document === 'string') return { ok: false, problems: [document] };
  if (!isRecord(document) || Object.keys(document).length === 0) {
    return { ok: false, problems: [`${fileName}: must map each alias to an agent`] };
  }
  const problems: string[] = [];
  const agents: AgentSpec[] = [];
  for (const [alias, entry] of Object.entries(document)) {
    const spec = checkAgent(alias, entry, problems);
    if (spec !== undefined) agents.push(spec);
  }
  problems.push(...checkHandoffs(agents, new Set(Object.keys(document))));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, agents };
}

function parseDocument(text: string, fileName: string): unknown {
  try {
    return JSON_FILE_PATTERN.test(fileName) ? JSON.parse(text) : parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return `${fileName}: cannot be parsed: ${reason}`;
  }
}

function checkAgent(alias: string, entry: unknown, problems: string[]): AgentSpec | undefined {
  if (!ALIAS_PATTERN.test(alias)) {
    problems.push(`${alias}: alias must be 1–32 lower-case letters, digits, - or _`);
  }
  if (!isRecord(entry)) {
    problems.push(`${alias}: must be an object with at least name and model`);
    return undefined;
  }
  const field = fieldChecker(alias, entry, problems);
  for (const key of Object.keys(entry)) {
    if (!KNOWN_FIELDS.has(key)) problems.push(`${alias}.${key}: unknown field`);
  }
  const avatar = field.text('avatar', false);
  if (avatar !== undefined && !HTTPS_URL_PATTERN.test(avatar)) {
    problems.push(`${alias}.avatar: must be an https URL`);
  }
  const spec: AgentSpec = {
    alias,
    name: field.text('name', true) ?? '',
    model: field.text('model', true) ?? '',
    ...optional('instructions', field.text('instructions', false)),
    ...optional('description', field.text('description', false)),
    ...optional('temperature', field.number('temperature', 0, 1, false)),
    ...optional('topP', field.number('top_p', 0, 1, false)),
    ...optional('maxTokens', field.number('max_tokens', 1, 1_000_000, true)),
    tools: checkTools(alias, entry.tools, problems),
    handoffs: checkList(`${alias}.handoffs`, entry.handoffs, problems),
    demonstrations: checkDemonstrations(alias, entry.demonstrations, problems),
    ...optional('avatar', avatar),
  };
  return spec;
}

function fieldChecker(alias: string, entry: Record<string, unknown>, problems: string[]) {
  return {
    text(key: string, isRequired: boolean): string | undefined {
      const value = entry[key];
      if (value === undefined && !isRequired) return undefined;
      if (typeof value === 'string' && value.trim() !== '') return value.trim();
      problems.push(`${alias}.${key}: ${value === undefined ? 'is required' : 'must be text'}`);
      return undefined;
    },
    number(key: string, min: number, max: number, isInteger: boolean): number | undefined {
      const value = entry[key];
      if (value === undefined) return undefined;
      const isValid = typeof value === 'number' && value >= min && value <= max;
      if (isValid && (!isInteger || Number.isInteger(value))) return value;
      const kind = isInteger ? 'a whole number' : 'a number';
      problems.push(`${alias}.${key}: must be ${kind} between ${min} and ${max}`);
      return undefined;
    },
  };
}

function checkTools(alias: string, value: unknown, problems: string[]): ToolSpec[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${alias}.tools: must be a list`);
    return [];
  }
  return value.flatMap((tool, index) => {
    const place = `${alias}.tools[${index}]`;
    const type = typeof tool === 'string' ? tool : isRecord(tool) ? tool.type : undefined;
    if (SIMPLE_TOOLS.some((known) => known === type)) {
      return [{ type } as ToolSpec];
    }
    if (type === 'document_library') {
      const ids = isRecord(tool) ? tool.library_ids : undefined;
      const libraryIds = checkList(`${place}.library_ids`, ids, problems);
      if (libraryIds.length === 0 && ids !== undefined) return [];
      if (ids === undefined) problems.push(`${place}.library_ids: is required`);
      return [{ type: 'document_library', libraryIds }];
    }
    problems.push(`${place}: unknown tool ${JSON.stringify(type)}; use ${ALL_TOOLS.join(', ')}`);
    return [];
  });
}

function checkList(place: string, value: unknown, problems: string[]): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')) {
    return value;
  }
  problems.push(`${place}: must be a list of names`);
  return [];
}

function checkDemonstrations(alias: string, value: unknown, problems: string[]): Demonstration[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${alias}.demonstrations: must be a list of { user, assistant }`);
    return [];
  }
  return value.flatMap((item, index) => {
    const { user, assistant } = isRecord(item) ? item : {};
    if (typeof user === 'string' && typeof assistant === 'string' && user && assistant) {
      return [{ user, assistant }];
    }
    problems.push(`${alias}.demonstrations[${index}]: needs user and assistant text`);
    return [];
  });
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
