/**
 * What a message would notify, as Slack parses it: the control sequences of `text` and of the
 * mrkdwn / markdown in its blocks (`<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S1>`,
 * `<@U1>`, `<@W1|bob>`, `<#C1>`), and rich_text's broadcast, user and usergroup elements.
 * Entity-escaped text (`&lt;!here&gt;`) is not a sequence; neither is `<` followed by anything
 * but the sigil. Sequences inside code count too: the fake assumes the worst.
 */
import type { SlackMentions } from './types.js';

/** A message's mentions, gathered over its life (post, edits, stream appends). */
export interface MentionSets {
  readonly broadcasts: Set<string>;
  readonly users: Set<string>;
  readonly userGroups: Set<string>;
  readonly channels: Set<string>;
}

// <sigil target|label>, as Slack reads it: the target ends at `|` or `>`.
const SEQUENCE_PATTERN = /<([!@#])([^<>|]+)(?:\|[^<>]*)?>/g;
const BROADCASTS = new Set(['here', 'channel', 'everyone']);
const USER_GROUP_PREFIX = 'subteam^';
const USER_ID_PATTERN = /^[UW][A-Z0-9]+$/;
const CHANNEL_ID_PATTERN = /^[CGD][A-Z0-9]+$/;

export function emptyMentions(): MentionSets {
  return { broadcasts: new Set(), users: new Set(), userGroups: new Set(), channels: new Set() };
}

/** Adds what `text` and `blocks` mention to `into`. */
export function addMentions(
  into: MentionSets,
  text: string,
  blocks: readonly unknown[] | undefined,
): void {
  addFromText(into, text);
  for (const block of blocks ?? []) addFromBlock(into, block);
}

/** The sets as sorted lists, for tests. */
export function listMentions(sets: MentionSets): SlackMentions {
  const sorted = (set: Set<string>) => [...set].sort();
  return {
    broadcasts: sorted(sets.broadcasts),
    users: sorted(sets.users),
    userGroups: sorted(sets.userGroups),
    channels: sorted(sets.channels),
  };
}

function addFromText(into: MentionSets, text: string): void {
  for (const match of text.matchAll(SEQUENCE_PATTERN)) {
    const [, sigil, target = ''] = match;
    if (sigil === '@' && USER_ID_PATTERN.test(target)) into.users.add(target);
    else if (sigil === '#' && CHANNEL_ID_PATTERN.test(target)) into.channels.add(target);
    else if (sigil === '!' && BROADCASTS.has(target)) into.broadcasts.add(target);
    else if (sigil === '!' && target.startsWith(USER_GROUP_PREFIX))
      into.userGroups.add(target.slice(USER_GROUP_PREFIX.length));
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Walks a block: mrkdwn text objects, markdown blocks and rich_text elements. */
function addFromBlock(into: MentionSets, node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) addFromBlock(into, item);
    return;
  }
  if (!isRecord(node)) return;
  const { type } = node;
  if ((type === 'mrkdwn' || type === 'markdown') && typeof node.text === 'string')
    addFromText(into, node.text);
  if (type === 'broadcast' && typeof node.range === 'string') into.broadcasts.add(node.range);
  if (type === 'user' && typeof node.user_id === 'string') into.users.add(node.user_id);
  if (type === 'usergroup' && typeof node.usergroup_id === 'string')
    into.userGroups.add(node.usergroup_id);
  if (type === 'channel' && typeof node.channel_id === 'string') into.channels.add(node.channel_id);
  for (const value of Object.values(node)) if (typeof value === 'object') addFromBlock(into, value);
}
