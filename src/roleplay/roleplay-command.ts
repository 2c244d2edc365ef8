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
const QUOTES = /^["“”'‘’]+|["“”'‘’]+$/g;

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
  const [firstName = '', secondName = '', ...rest] = words;
  if (rest.length === 0) return { kind: 'usage', problem: 'Give two agents and a topic.' };
  const first = resolveAgent(roster, firstName);
  const second = resolveAgent(roster, secondName);
  const unknown = [first ? undefined : firstName, second ? undefined : secondName].filter(Boolean);
  if (!first || !second)
    return {
      kind: 'usage',
      problem: `I don’t know ${unknown.map((name) => `“${clip(name ?? '')}”`).join(' or ')}.`,
    };
  const hasTurns = rest.length > 1 && TURNS_PATTERN.test(rest[0] ?? '');
  const turns = hasTurns ? Number(rest[0]) : limits.defaultTurns;
  const topic = (hasTurns ? rest.slice(1) : rest).join(' ').replace(QUOTES, '').trim();
  return checked({ kind: 'start', first, second, turns, topic }, limits);
}

function checked(
  command: Extract<RoleplayCommand, { kind: 'start' }>,
  limits: RoleplayLimits,
): RoleplayCommand {
  if (command.turns < 1 || command.turns > limits.maxTurns) {
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

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
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
