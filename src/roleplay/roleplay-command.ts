import { type AgentProfile, type Roster, resolveAgent } from '../config/roster.js';

/** `/roleplay …` as typed, understood. */
export type RoleplayCommand =
  | {
      readonly kind: 'start';
      readonly first: AgentProfile;
      readonly second: AgentProfile;
      readonly turns: number;
      readonly topic: string;
    }
  | { readonly kind: 'stop' }
  | { readonly kind: 'usage'; readonly problem?: string };

export interface RoleplayLimits {
  readonly defaultTurns: number;
  readonly maxTurns: number;
}

// A topic is a prompt, not a document; longer ones are refused with a clear message.
export const MAX_TOPIC_LENGTH = 500;
const WHITESPACE = /\s+/;
const TURNS_PATTERN = /^\d{1,4}$/;
// A number where the turns go (`0`, `-1`, `99999`, `1e9`, `2.5`) is a turn count to check, not a topic word.
const NUMBER_LIKE = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const QUOTES = /^["“”'‘’]+|["“”'‘’]+$/g;

/** The fields of a `/roleplay start`, as a platform's command options give them. */
export interface RoleplayStartOptions {
  readonly first: string;
  readonly second: string;
  /** Undefined when not given: the default applies. */
  readonly turns: number | undefined;
  readonly topic: string;
}

/** Parses `/roleplay <agentA> <agentB> [turns] <topic>`, `/roleplay stop`, or anything else as a call for usage. */
export function parseRoleplayCommand(
  text: string,
  roster: Roster,
  limits: RoleplayLimits,
): RoleplayCommand {
  const words = text
    .trim()
    .split(WHITESPACE)
    .filter((word) => word !== '');
  if (words.length === 0 || words[0]?.toLowerCase() === 'help') return { kind: 'usage' };
  if (words.length === 1 && words[0]?.toLowerCase() === 'stop') return { kind: 'stop' };
  const [first = '', second = '', ...rest] = words;
  if (rest.length === 0) return { kind: 'usage', problem: 'Give two agents and a topic.' };
  const turnsWord = rest.length > 1 && NUMBER_LIKE.test(rest[0] ?? '') ? rest[0] : undefined;
  const turns = turnsWord === undefined ? undefined : turnsFrom(turnsWord);
  const topic = (turnsWord === undefined ? rest : rest.slice(1)).join(' ');
  return roleplayFromOptions({ first, second, turns, topic }, roster, limits);
}

/** Checks a `/roleplay start` given as separate options (Discord), with the same rules as the text form. */
export function roleplayFromOptions(
  options: RoleplayStartOptions,
  roster: Roster,
  limits: RoleplayLimits,
): RoleplayCommand {
  const first = resolveAgent(roster, options.first);
  const second = resolveAgent(roster, options.second);
  if (!first || !second) {
    const unknown = [first ? undefined : options.first, second ? undefined : options.second];
    const named = unknown.filter((name) => name !== undefined).map((name) => `“${clip(name)}”`);
    return { kind: 'usage', problem: `I don’t know ${named.join(' or ')}.` };
  }
  const turns = options.turns ?? limits.defaultTurns;
  const topic = options.topic.trim().replace(QUOTES, '').trim();
  return checked({ kind: 'start', first, second, turns, topic }, limits);
}

/** A typed turn count; NaN (refused by the range check) when it is not a plain whole number. */
function turnsFrom(word: string): number {
  return TURNS_PATTERN.test(word) ? Number(word) : Number.NaN;
}

function checked(
  command: Extract<RoleplayCommand, { kind: 'start' }>,
  limits: RoleplayLimits,
): RoleplayCommand {
  const { turns } = command;
  if (!Number.isInteger(turns) || turns < 1 || turns > limits.maxTurns) {
    return {
      kind: 'usage',
      problem: `Turns must be between 1 and ${limits.maxTurns} (ROLEPLAY_MAX_TURNS).`,
    };
  }
  if (command.topic === '')
    return { kind: 'usage', problem: 'Give the topic after the agents (and turns).' };
  if (command.topic.length > MAX_TOPIC_LENGTH) {
    return { kind: 'usage', problem: `Keep the topic under ${MAX_TOPIC_LENGTH} characters.` };
  }
  return command;
}

/** The first 40 characters, cut between code points (a half emoji is not text). */
function clip(text: string): string {
  const chars = Array.from(text);
  return chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : text;
}

/** How to use the command, with the agents people can name. */
export function roleplayUsage(
  limits: RoleplayLimits,
  rosterText: string,
  problem?: string,
): string {
  return [
    ...(problem === undefined ? [] : [problem]),
    `Usage: \`/roleplay <agentA> <agentB> [turns] <topic>\` — e.g. \`/roleplay ali jimmy 6 "first dates"\`.`,
    `Turns default to ${limits.defaultTurns}, at most ${limits.maxTurns}. \`/roleplay stop\` ends the one running here.`,
    rosterText,
  ].join('\n');
}
