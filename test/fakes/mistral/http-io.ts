import type { IncomingMessage, ServerResponse } from 'node:http';

const BEARER = /^Bearer\s+(.+)$/i;

/** Reads a request body whole, as UTF-8. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

/** Parses JSON, telling a broken body apart from a valid `null`. */
export function parseJson(
  text: string,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Whether the request carries `Authorization: Bearer <apiKey>`. */
export function hasKey(request: IncomingMessage, apiKey: string): boolean {
  const match = BEARER.exec(request.headers.authorization ?? '');
  return match?.[1] === apiKey;
}

/** Sends a JSON body with an exact length, as the API does for non-streamed answers. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Writes and resolves once the bytes are handed to the socket (or the socket is gone). */
export function writeFlushed(response: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed) {
      resolve();
      return;
    }
    response.write(text, () => resolve());
  });
}
