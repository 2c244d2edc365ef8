/** Display names for the ids a Discord message mentions. */
export interface MentionNames {
  readonly users: ReadonlyMap<string, string>;
  readonly channels: ReadonlyMap<string, string>;
  readonly roles: ReadonlyMap<string, string>;
}

// <@123>, <@!123> (nickname form), <#123>, <@&123>
const MENTION_PATTERN = /<(@!?|#|@&)(\d{15,21})>/g;

/**
 * Turns Discord message text into plain Markdown for the agent: mentions become `@Name` /
 * `#channel`, and Parley's own mention is dropped.
 */
export function discordTextToMarkdown(
  content: string,
  botUserId: string,
  names: MentionNames,
): string {
  const replaced = content.replace(MENTION_PATTERN, (whole, sigil: string, id: string) => {
    if (sigil === '#') return `#${names.channels.get(id) ?? 'channel'}`;
    if (sigil === '@&') return `@${names.roles.get(id) ?? 'role'}`;
    if (id === botUserId) return '';
    return `@${names.users.get(id) ?? whole}`;
  });
  return replaced.replace(/[ \t]{2,}/g, ' ').trim();
}

// Code (fenced or inline) is left as written; links elsewhere are wrapped.
const CODE_OR_LINK =
  /(```[\s\S]*?(?:```|$)|`[^`\n]*`)|\]\((https?:\/\/[^\s)<>]+)\)|(<https?:\/\/[^\s>]+>)|(https?:\/\/[^\s<>)\]]*[^\s<>)\].,;:!?'"])/g;

/**
 * Markdown with every web link wrapped in `<…>`, so Discord shows it without an embed: a
 * masked link `[t](<url>)`, a bare address `<url>`. Code stays as it is.
 */
export function withoutUnfurls(markdown: string): string {
  return markdown.replace(
    CODE_OR_LINK,
    (whole, code?: string, masked?: string, wrapped?: string, bare?: string) => {
      if (code !== undefined || wrapped !== undefined) return whole;
      if (masked !== undefined) return `](<${masked}>)`;
      return `<${bare}>`;
    },
  );
}
