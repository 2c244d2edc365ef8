import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord } from '../../src/core/guards.js';

// Slack's payloads are a few kilobytes; a megabyte leaves room for any real one.
const MAX_BODY_BYTES = 1024 * 1024;
// Fields Bolt reads from every event: Slack sends strings or objects, never null or numbers.
const EVENT_FIELDS = ['user', 'channel', 'item'] as const;
// Slack signs with the current time and receivers refuse anything five minutes off.
const SIGNATURE_WINDOW_S = 5 * 60;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Checks a request's body has the shape Slack sends before Bolt sees it: Bolt throws (and
 * answers 500, or crashes on an unawaited promise) on a JSON `null`, a non-object event or
 * a `null` user. The body is read once and handed on as `rawBody`, which Bolt reuses.
 */
export function guardSlackRequests(
  signingSecret: string,
  listener: Listener,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const body = await readLimited(req);
    if (body === undefined) return void res.writeHead(413).end();
    // Unsigned or forged requests are Bolt's to refuse (401); only Slack's own get shape checks.
    const problem = isSignedBy(signingSecret, req, body)
      ? problemWith(body.toString('utf8'), req.headers['content-type'] ?? '')
      : undefined;
    if (problem !== undefined)
      return void res.writeHead(400, { 'content-type': 'text/plain' }).end(problem);
    Object.assign(req, { rawBody: body });
    listener(req, res);
  };
}

/** Why a body is not one Slack would send, or undefined when it looks like one. */
export function problemWith(text: string, contentType: string): string | undefined {
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const payload = new URLSearchParams(text).get('payload');
    return payload === null || isRecord(parse(payload))
      ? undefined
      : 'payload must be a JSON object';
  }
  const parsed = parse(text);
  if (!isRecord(parsed)) return 'body must be a JSON object';
  if (parsed.type !== 'event_callback') return undefined;
  if (!isRecord(parsed.event)) return 'event must be an object';
  const event = parsed.event;
  const bad = EVENT_FIELDS.find((field) => field in event && !isStringOrRecord(event[field]));
  return bad === undefined ? undefined : `event.${bad} must be a string or an object`;
}

/** Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
function isSignedBy(secret: string, req: IncomingMessage, body: Buffer): boolean {
  const timestamp = req.headers['x-slack-request-timestamp'];
  const signature = req.headers['x-slack-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  // Slack's replay window: older (or future) requests are refused by Bolt, not checked here.
  if (Math.abs(Date.now() / 1_000 - Number(timestamp)) > SIGNATURE_WINDOW_S) return false;
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}

async function readLimited(req: IncomingMessage): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of req) {
    size += (part as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    parts.push(part as Buffer);
  }
  return Buffer.concat(parts);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isStringOrRecord(value: unknown): boolean {
  return typeof value === 'string' || isRecord(value);
}
