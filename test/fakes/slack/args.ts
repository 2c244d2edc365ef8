/** Reading Web API arguments as they arrive: form values are strings, JSON values are typed. */

export type Args = Readonly<Record<string, unknown>>;

/** Arguments WebClient JSON-encodes inside a form body. */
const JSON_ARGS = ['blocks', 'attachments', 'chunks', 'metadata', 'files'] as const;

/** A non-empty string argument, or `undefined`. Numbers are accepted as form values would be. */
export function stringArg(args: Args, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A string argument that may be empty (e.g. a status cleared with `''`). */
export function rawStringArg(args: Args, name: string): string | undefined {
  const value = args[name];
  return typeof value === 'string' ? value : undefined;
}

export function intArg(args: Args, name: string): number | undefined {
  const value = args[name];
  const parsed = typeof value === 'number' ? value : Number.parseInt(String(value ?? ''), 10);
  return Number.isInteger(parsed) ? parsed : undefined;
}

/** Form bodies carry structured arguments as JSON strings; decode them (undecodable stays a string). */
export function decodeFormArgs(form: URLSearchParams): Record<string, unknown> {
  const args: Record<string, unknown> = Object.fromEntries(form.entries());
  for (const name of JSON_ARGS) {
    const value = args[name];
    if (typeof value !== 'string') continue;
    try {
      args[name] = JSON.parse(value);
    } catch {
      // Left as a string: the method answers `invalid_*_format` as Slack does.
    }
  }
  return args;
}
