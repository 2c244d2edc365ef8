/** `POST /response/<id>`: the `response_url` Slack hands out with commands and interactions. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mediaType, sendText } from './http-io.js';
import { isRejection, readMessageContent } from './rules.js';
import type { Workspace } from './workspace.js';

/** Slack: "use a response_url up to five times within 30 minutes". */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_PATH = '/response/';

/** Issued response URLs and how often each was used. */
export class ResponseUrls {
  readonly #uses = new Map<string, number>();

  issue(baseUrl: string): string {
    const id = randomUUID();
    this.#uses.set(id, 0);
    return `${baseUrl}${RESPONSE_URL_PATH}${id}`;
  }

  /** Counts one use; says why the URL can't be used when it can't. */
  use(id: string): string | undefined {
    const uses = this.#uses.get(id);
    if (uses === undefined) return 'expired_url';
    if (uses >= RESPONSE_URL_MAX_USES) return 'used_url';
    this.#uses.set(id, uses + 1);
    return undefined;
  }

  clear(): void {
    this.#uses.clear();
  }
}

function parseBody(request: IncomingMessage, raw: string): Record<string, unknown> | undefined {
  if (mediaType(request) !== 'application/json') return undefined;
  try {
    const body: unknown = JSON.parse(raw);
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Why Slack would refuse this response body, if it would. */
function bodyError(body: Record<string, unknown> | undefined): string | undefined {
  if (body === undefined) return 'invalid_payload';
  if (body.delete_original === true || body.delete_original === 'true') return undefined;
  const content = readMessageContent(body);
  return isRejection(content) ? content.error : undefined;
}

export function handleResponseUrl(
  deps: {
    readonly workspace: Workspace;
    readonly urls: ResponseUrls;
    readonly clock: () => number;
  },
  request: IncomingMessage,
  response: ServerResponse,
  raw: string,
  responseUrl: string,
): void {
  const body = parseBody(request, raw);
  const invalid = bodyError(body);
  const id = responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
  const refused = invalid ?? deps.urls.use(id);
  const status = refused === undefined ? 200 : refused === invalid ? 400 : 404;
  deps.workspace.responses.push({ responseUrl, body: body ?? {}, status, at: deps.clock() });
  deps.workspace.changed();
  sendText(response, status, refused ?? 'ok');
}
