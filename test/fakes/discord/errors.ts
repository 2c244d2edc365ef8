/** One entry of a Discord `Invalid Form Body` error tree. */
export interface FieldError {
  readonly code: string;
  readonly message: string;
}

/** A nested `errors` object as Discord returns it: `{ content: { _errors: [...] } }`. */
export interface ErrorTree {
  readonly [key: string]: ErrorTree | readonly FieldError[];
}

/** An HTTP error with Discord's JSON body `{ message, code, errors? }`. */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: ErrorTree,
  ) {
    super(message);
    this.name = 'DiscordHttpError';
  }

  /** The response body, exactly as Discord shapes it. */
  body(): Record<string, unknown> {
    const base = { message: this.message, code: this.code };
    return this.errors === undefined ? base : { ...base, errors: this.errors };
  }
}

/** `_errors` for one field, wrapped along a path such as `['embeds', '0', 'description']`. */
export function fieldError(path: readonly string[], code: string, message: string): ErrorTree {
  let tree: ErrorTree = { _errors: [{ code, message }] };
  for (const key of [...path].reverse()) tree = { [key]: tree };
  return tree;
}

/** Deep-merges error trees so several invalid fields are reported together, as Discord does. */
export function mergeErrors(trees: readonly ErrorTree[]): ErrorTree {
  const merged: Record<string, ErrorTree | readonly FieldError[]> = {};
  for (const tree of trees) {
    for (const [key, value] of Object.entries(tree)) {
      const existing = merged[key];
      merged[key] =
        Array.isArray(value) || existing === undefined || Array.isArray(existing)
          ? value
          : mergeErrors([existing as ErrorTree, value as ErrorTree]);
    }
  }
  return merged;
}

/** 400 code 50035 with the collected field errors; undefined when there are none. */
export function invalidFormBody(trees: readonly ErrorTree[]): DiscordHttpError | undefined {
  if (trees.length === 0) return undefined;
  return new DiscordHttpError(400, 50035, 'Invalid Form Body', mergeErrors(trees));
}

/** The JSON error codes this fake returns, named as in Discord's documentation. */
export const errors = {
  unauthorized: () => new DiscordHttpError(401, 0, '401: Unauthorized'),
  notFound: () => new DiscordHttpError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new DiscordHttpError(405, 0, '405: Method Not Allowed'),
  unknownChannel: () => new DiscordHttpError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => new DiscordHttpError(404, 10004, 'Unknown Guild'),
  unknownMessage: () => new DiscordHttpError(404, 10008, 'Unknown Message'),
  unknownUser: () => new DiscordHttpError(404, 10013, 'Unknown User'),
  unknownWebhook: () => new DiscordHttpError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => new DiscordHttpError(404, 10062, 'Unknown interaction'),
  missingAccess: () => new DiscordHttpError(403, 50001, 'Missing Access'),
  dmAction: () => new DiscordHttpError(403, 50003, 'Cannot execute action on a DM channel'),
  editOthers: () =>
    new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => new DiscordHttpError(400, 50006, 'Cannot send an empty message'),
  wrongChannelType: () =>
    new DiscordHttpError(400, 50024, 'Cannot execute action on this channel type'),
  invalidWebhookToken: () => new DiscordHttpError(401, 50027, 'Invalid Webhook Token'),
  invalidRecipient: () => new DiscordHttpError(400, 50033, 'Invalid Recipient(s)'),
  invalidJson: () => new DiscordHttpError(400, 50109, 'The request body contains invalid JSON.'),
  maxWebhooks: () => new DiscordHttpError(400, 30007, 'Maximum number of webhooks reached (15)'),
  alreadyAcknowledged: () =>
    new DiscordHttpError(400, 40060, 'Interaction has already been acknowledged.'),
  threadExists: () =>
    new DiscordHttpError(400, 160004, 'A thread has already been created for this message'),
} as const;
