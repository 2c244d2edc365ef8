import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { sendJson, writeFlushed } from './http-io.js';
import type { Behaviour, ReplyBehaviour, ScriptStep } from './types.js';
import { statusError } from './wire.js';

// Mistral streams a few characters per token; a handful per delta keeps replies multi-chunk.
export const DEFAULT_CHUNK_SIZE = 8;
export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

/** What every behaviour needs to know about the request it answers. */
export interface PlayContext {
  readonly response: ServerResponse;
  readonly stream: boolean;
  /** Characters of prompt text, for the usage block. */
  readonly promptChars: number;
  /** Aborts when the client goes away or the fake closes. */
  readonly signal: AbortSignal;
}

/** How one endpoint words the behaviours whose wire shape is its own. */
export interface Dialect {
  reply(reply: ReplyBehaviour): Promise<void>;
  cut(text: string, afterChars: number): Promise<void>;
  malformed(textBefore: string | undefined): Promise<void>;
  script(steps: readonly ScriptStep[]): Promise<void>;
}

/** Answers one accepted request the way the behaviour says, in the endpoint's dialect. */
export async function playBehaviour(
  behaviour: Behaviour,
  context: PlayContext,
  dialect: Dialect,
): Promise<void> {
  switch (behaviour.kind) {
    case 'reply':
      return dialect.reply(behaviour);
    case 'status': {
      const error = statusError(behaviour.status, behaviour.message);
      const retryAfter = behaviour.retryAfterSeconds;
      const headers = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
      sendJson(context.response, error.status, error.body, headers);
      return;
    }
    case 'cut':
      return dialect.cut(behaviour.text, behaviour.afterChars);
    case 'malformed':
      return dialect.malformed(behaviour.textBefore);
    case 'hang':
      return hang(context);
    case 'gate':
      return (await opened(behaviour.until, context.signal))
        ? playBehaviour(behaviour.next, context, dialect)
        : undefined;
    case 'script':
      return dialect.script(behaviour.steps);
  }
}

/** Promises a whole JSON body, sends half of it, then drops the connection. */
export async function sendHalf(response: ServerResponse, body: unknown): Promise<void> {
  const text = JSON.stringify(body);
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  await writeFlushed(response, text.slice(0, Math.floor(text.length / 2)));
  response.destroy();
}

/** Answers 200 with a body that is not JSON. */
export function sendBrokenJson(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{not json');
}

/** Cuts text into deltas of `size` characters (at least one). */
export function split(text: string, size = DEFAULT_CHUNK_SIZE): string[] {
  const step = Math.max(1, Math.floor(size));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += step)
    pieces.push(text.slice(start, start + step));
  return pieces;
}

/** Waits, unless told to stop; false when the answer should be abandoned. */
export async function pause(ms: number | undefined, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms === undefined || ms <= 0) return true;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Waits for a test's gate to settle; false when the answer should be abandoned first. */
export function opened(until: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return Promise.race([
    until.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) =>
      signal.addEventListener('abort', () => resolve(false), { once: true }),
    ),
  ]);
}

/** A stream sends its headers (the request was accepted); a complete call sends nothing at all. */
async function hang(context: PlayContext): Promise<void> {
  if (context.stream) {
    context.response.writeHead(200, SSE_HEADERS);
    context.response.flushHeaders();
  }
  if (context.signal.aborted) return;
  await new Promise<void>((resolve) =>
    context.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
