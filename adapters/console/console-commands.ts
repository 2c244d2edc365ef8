/** One typed line, understood. */
export type ConsoleLine =
  | { readonly kind: 'empty' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'help' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'show-agent' }
  | { readonly kind: 'set-agent'; readonly nameOrId: string }
  | { readonly kind: 'roleplay'; readonly args: string }
  | { readonly kind: 'attach'; readonly path: string }
  | { readonly kind: 'unknown'; readonly name: string }
  | { readonly kind: 'say'; readonly text: string };

const COMMAND_PATTERN = /^\/(\S+)\s*(.*)$/s;

/** Parses a console line: `/command args` or a message for the agent. */
export function parseConsoleLine(line: string): ConsoleLine {
  const text = line.trim();
  if (text === '') return { kind: 'empty' };
  const match = COMMAND_PATTERN.exec(text);
  if (!match) return { kind: 'say', text };
  const name = (match[1] ?? '').toLowerCase();
  const args = (match[2] ?? '').trim();
  switch (name) {
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    case 'help':
      return { kind: 'help' };
    case 'reset':
      return { kind: 'reset' };
    case 'agent':
      return args === '' ? { kind: 'show-agent' } : { kind: 'set-agent', nameOrId: args };
    case 'roleplay':
      return { kind: 'roleplay', args };
    case 'attach':
      return { kind: 'attach', path: args };
    default:
      return { kind: 'unknown', name: `/${name}` };
  }
}
