import type { IncomingMessage, ServerResponse } from 'node:http';

export { readBody, sendJson } from '../http-io.js';

const BEARER = /^Bearer\s+(.+)$/i;

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

/** Reads a request body whole, as bytes (for multipart uploads). */
export async function readBytes(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
