// v4: v5 needs Node 22 (engines), and we declare Node 20.
import slackifyMarkdown from 'slackify-markdown';

/** Looks up a person's display name by Slack user id. */
export type NameOf = (userId: string) => Promise<string>;

// Slack's escaped-entity syntax: <@U123>, <@U123|name>, <#C123|general>, <!here>, <https://x|label>.
const ENTITY_PATTERN = /<([@#!]?)([^<>|]+)(?:\|([^<>]*))?>/g;
const USER_ID_PATTERN = /^[UW][A-Z0-9]+$/;
// Each name is a `users.info` call (Tier 4, ~100 a minute): a mention storm must not stall the
// reply, so past this many people the rest keep their label or id.
const MAX_NAME_LOOKUPS = 20;

/**
 * Turns Slack message text into plain Markdown for the agent: user mentions become
 * `@Name`, the bot's own mention is dropped, channels and links are unwrapped and
 * Slack's three escaped characters are restored.
 */
export async function slackTextToMarkdown(
  text: string,
  botUserId: string,
  nameOf: NameOf,
): Promise<string> {
  const userIds = new Set<string>();
  for (const match of text.matchAll(ENTITY_PATTERN)) {
    const id = match[2] ?? '';
    if (userIds.size >= MAX_NAME_LOOKUPS) break;
    if (match[1] === '@' && id !== botUserId && USER_ID_PATTERN.test(id)) userIds.add(id);
  }
  const names = new Map(
    await Promise.all([...userIds].map(async (id) => [id, await nameOf(id)] as const)),
  );
  const replaced = text.replace(
    ENTITY_PATTERN,
    (_whole, sigil: string, target: string, label?: string) =>
      renderEntity(sigil, target, label, botUserId, names),
  );
  return unescapeSlack(replaced)
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

function renderEntity(
  sigil: string,
  target: string,
  label: string | undefined,
  botUserId: string,
  names: ReadonlyMap<string, string>,
): string {
  if (sigil === '@') return target === botUserId ? '' : `@${names.get(target) ?? label ?? target}`;
  if (sigil === '#') return `#${label ?? target}`;
  if (sigil === '!') return `@${(label ?? target).replace(/^subteam\^/, '')}`;
  return label === undefined || label === target ? target : `[${label}](${target})`;
}

function unescapeSlack(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** Renders the agent's Markdown as Slack mrkdwn (for `text` fields, which do not take Markdown). */
export function markdownToMrkdwn(markdown: string): string {
  if (markdown.trim() === '') return markdown;
  return slackifyMarkdown(markdown).trimEnd();
}

/** True when the text mentions the given user. */
export function mentions(text: string, userId: string): boolean {
  return text.includes(`<@${userId}>`) || text.includes(`<@${userId}|`);
}
