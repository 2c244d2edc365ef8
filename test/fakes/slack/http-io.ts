/** Small HTTP helpers shared by the fake's endpoints. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson as sendJsonBody } from '../http-io.js';

const BEARER = /^Bearer\s+(\S+)$/i;

/** Reads a request body whole, as bytes (uploads are binary). */
export async function readBytes(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** The token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(request: IncomingMessage): string | undefined {
  return BEARER.exec(request.headers.authorization ?? '')?.[1];
}

/** The media type of a request, lower-cased, without parameters such as charset. */
export function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

const SLACK_JSON = { 'content-type': 'application/json; charset=utf-8' };

/** Sends JSON as Slack does (with a charset). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJsonBody(response, status, body, { ...SLACK_JSON, ...headers });
}

export function sendText(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(body);
}
