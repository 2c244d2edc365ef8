import { readFileSync } from 'node:fs';
import { isRecord } from '../core/guards.js';

/** One agent of the roster: how people name it and how it is shown. */
export interface AgentProfile {
  readonly alias: string;
  readonly id: string;
  readonly name?: string;
  readonly avatarUrl?: string;
}

export type Roster = ReadonlyMap<string, AgentProfile>;

export type RosterResult =
  | { readonly ok: true; readonly roster: Roster }
  | { readonly ok: false; readonly problem: string };

const ALIAS_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/i;
// Mistral agent ids look like `ag:3996db2b:20240805:french-agent:a8997aab` or `ag_0123…`.
const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9:_.-]{0,199}$/;
const JSON_FILE_PATTERN = /\.json$/i;
const HINT =
  'use `alias=agent_id` pairs separated by commas, or a path to a JSON file `{ "alias": { "id": "…", "name": "…", "avatar": "https://…" } }`';

/** Parses `AGENTS`: a comma list of `alias=agent_id`, or a path to a JSON roster file. */
export function parseRoster(
  value: string | undefined,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): RosterResult {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return { ok: true, roster: new Map() };
  if (JSON_FILE_PATTERN.test(trimmed)) return parseRosterFile(trimmed, readFile);
  return parseRosterList(trimmed);
}

function parseRosterList(value: string): RosterResult {
  const roster = new Map<string, AgentProfile>();
  for (const entry of value.split(',')) {
    const separator = entry.indexOf('=');
    if (separator < 0) return fail(`"${entry.trim()}" has no "="`);
    const profile = checkProfile(entry.slice(0, separator).trim(), {
      id: entry.slice(separator + 1).trim(),
    });
    if (typeof profile === 'string') return fail(profile);
    if (roster.has(profile.alias)) return fail(`alias "${profile.alias}" appears twice`);
    roster.set(profile.alias, profile);
  }
  return { ok: true, roster };
}

function parseRosterFile(path: string, readFile: (path: string) => string): RosterResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(path));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
    return fail(`the file ${path} ${reason}`);
  }
  if (!isRecord(parsed)) return fail(`the file ${path} must hold a JSON object`);
  const roster = new Map<string, AgentProfile>();
  for (const [alias, entry] of Object.entries(parsed)) {
    const profile = isRecord(entry) ? checkProfile(alias, entry) : `"${alias}" must be an object`;
    if (typeof profile === 'string') return fail(profile);
    roster.set(profile.alias, profile);
  }
  return { ok: true, roster };
}

function checkProfile(alias: string, entry: Record<string, unknown>): AgentProfile | string {
  if (!ALIAS_PATTERN.test(alias)) return `alias "${alias}" must be 1–32 letters, digits, - or _`;
  const { id, name, avatar } = entry;
  if (typeof id !== 'string' || !AGENT_ID_PATTERN.test(id)) {
    return `alias "${alias}" needs a valid agent id`;
  }
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    return `"${alias}".name must be a non-empty string`;
  }
  if (avatar !== undefined && (typeof avatar !== 'string' || !isHttpUrl(avatar))) {
    return `"${alias}".avatar must be an http(s) URL`;
  }
  return {
    alias: alias.toLowerCase(),
    id,
    ...(typeof name === 'string' ? { name: name.trim() } : {}),
    ...(typeof avatar === 'string' ? { avatarUrl: avatar } : {}),
  };
}

/** Finds an agent by alias (case-insensitive) or by raw id; undefined when neither fits. */
export function resolveAgent(roster: Roster, nameOrId: string): AgentProfile | undefined {
  const wanted = nameOrId.trim();
  const byAlias = roster.get(wanted.toLowerCase());
  if (byAlias) return byAlias;
  for (const profile of roster.values()) if (profile.id === wanted) return profile;
  return looksLikeRawAgentId(wanted) ? { alias: wanted, id: wanted } : undefined;
}

// Raw ids are told from mistyped aliases by their shape: `ag:…:…` (v1) or `ag_…` (v2).
const RAW_AGENT_ID_PATTERN = /^ag(:[A-Za-z0-9._-]+)+$|^ag_[A-Za-z0-9]{8,}$/;

function looksLikeRawAgentId(text: string): boolean {
  return AGENT_ID_PATTERN.test(text) && RAW_AGENT_ID_PATTERN.test(text);
}

function fail(problem: string): RosterResult {
  return { ok: false, problem: `AGENTS: ${problem}; ${HINT}` };
}

function isHttpUrl(value: string): boolean {
  return /^https?:\/\/\S+$/i.test(value);
}
