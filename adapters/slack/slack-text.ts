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

// In mrkdwn every raw `<` opens a control sequence, yet slackify-markdown passes the agent's own
// through when they look like HTML (`Forecast<T>`, a source's title, code): each becomes `&lt;`,
// all but Markdown's autolinks (`<https://…>`), which are links.
const RAW_ANGLE_PATTERN = /<(?!(?:https?|mailto):[^\s<>]*>)/gi;
// Stands in for those `<` while slackify-markdown runs (a private-use character is text to it);
// afterwards each is `&lt;`, and the `>` that closes it `&gt;`, as escapeMentions writes them.
const ANGLE_STAND_IN = '\uE000';
const STOOD_IN_PATTERN = /\uE000((?:(?!&gt;)[^<>\uE000\n])*)(>?)/g;

/**
 * Renders the agent's Markdown as Slack mrkdwn (for `text` fields, which do not take Markdown).
 * Mentions in it are shown as text and notify nobody (see {@link escapeMentions}), and no `<`
 * of the agent's opens a link of its own.
 */
export function markdownToMrkdwn(markdown: string): string {
  if (markdown.trim() === '') return markdown;
  const guarded = markdown
    .replaceAll(ANGLE_STAND_IN, '')
    .replace(RAW_ANGLE_PATTERN, ANGLE_STAND_IN);
  return escapeMentions(slackifyMarkdown(guarded).trimEnd()).replace(
    STOOD_IN_PATTERN,
    (_whole, inner: string, close: string) => `&lt;${inner}${close === '' ? '' : '&gt;'}`,
  );
}

// The opening of a control sequence that notifies or links: <!here>, <!channel>, <!everyone>,
// <!subteam^S1|team>, <@U1>, <@W1|bob>, <#C1|general> (and its closing `>`, when there is one).
const MENTION_SEQUENCE_PATTERN = /<([!@#][^<>]*)(>?)/g;
const MENTION_OPENING_PATTERN = /<(?=[!@#])/g;
// U+2060 WORD JOINER: zero-width and invisible, it is not one of the characters that may follow
// `<` in a mention, so `<\u2060!here>` is shown as `<!here>` and is no control sequence.
const WORD_JOINER = '\u2060';
const SIGIL_PATTERN = /^[!@#]/;

/**
 * Mrkdwn with every mention sequence escaped as `&lt;…&gt;`. This is Slack's own documented
 * escape for `text`: Slack shows the entities as `<` and `>` (in code too, as text is escaped
 * throughout the wire format) and parses no mention, broadcast or channel link out of them.
 * Run after slackify-markdown, which passes these sequences through, code included.
 */
export function escapeMentions(mrkdwn: string): string {
  return mrkdwn.replace(
    MENTION_SEQUENCE_PATTERN,
    (_whole, inner: string, close: string) => `&lt;${inner}${close === '' ? '' : '&gt;'}`,
  );
}

/**
 * The agent's Markdown for `markdown_text` (chat streaming), with mentions shown as text that
 * notifies nobody: a word joiner after each `<` that opens one. Standard Markdown has no
 * Slack escape: `&lt;` would show as `&lt;` inside code, so the entity form is not used here.
 * `before` is the text already streamed into the message, so a `<` at the end of one chunk is
 * joined too when the next starts with `!`, `@` or `#`.
 */
export function markdownForSlack(markdown: string, before = ''): string {
  const joined = markdown.replace(MENTION_OPENING_PATTERN, `<${WORD_JOINER}`);
  return before.endsWith('<') && SIGIL_PATTERN.test(joined) ? `${WORD_JOINER}${joined}` : joined;
}

/** True when the text mentions the given user. */
export function mentions(text: string, userId: string): boolean {
  return text.includes(`<@${userId}>`) || text.includes(`<@${userId}|`);
}
