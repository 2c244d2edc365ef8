import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { sendJson, writeFlushed } from './http-io.js';
import type { Behaviour, ReplyBehaviour } from './types.js';
import {
  type CompletionHead,
  chatCompletion,
  completionChunk,
  contentOf,
  statusError,
  usage,
} from './wire.js';

// Mistral streams a few characters per token; a handful per delta keeps replies multi-chunk.
const DEFAULT_CHUNK_SIZE = 8;
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};

/** What a behaviour needs to know about the request it answers. */
export interface PlayContext {
  readonly response: ServerResponse;
  readonly stream: boolean;
  readonly head: CompletionHead;
  /** Characters of prompt text, for the usage block. */
  readonly promptChars: number;
  /** Aborts when the client goes away or the fake closes. */
  readonly signal: AbortSignal;
}

/** Answers one accepted completion request the way the behaviour says. */
export async function playBehaviour(behaviour: Behaviour, context: PlayContext): Promise<void> {
  switch (behaviour.kind) {
    case 'reply':
      return context.stream ? streamReply(behaviour, context) : completeReply(behaviour, context);
    case 'status': {
      const error = statusError(behaviour.status, behaviour.message);
      const retryAfter = behaviour.retryAfterSeconds;
      const headers = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
      sendJson(context.response, error.status, error.body, headers);
      return;
    }
    case 'cut':
      return context.stream
        ? streamCut(behaviour.text, behaviour.afterChars, context)
        : completeCut(context);
    case 'malformed':
      return playMalformed(behaviour.textBefore, context);
    case 'hang':
      return hang(context);
    case 'gate': {
      const opened = await Promise.race([
        behaviour.until.then(
          () => true,
          () => true,
        ),
        new Promise<boolean>((resolve) =>
          context.signal.addEventListener('abort', () => resolve(false), { once: true }),
        ),
      ]);
      return opened ? playBehaviour(behaviour.next, context) : undefined;
    }
  }
}

async function streamReply(reply: ReplyBehaviour, context: PlayContext): Promise<void> {
  startStream(context);
  if (!(await pause(reply.firstTokenDelayMs, context.signal))) return;
  const pieces = split(reply.text, reply.chunkSize);
  for (const [index, piece] of pieces.entries()) {
    if (index > 0 && !(await pause(reply.chunkDelayMs, context.signal))) return;
    await sendEvent(context, { content: contentOf(piece, reply.contentAsChunks === true) });
  }
  const finish = { usage: usage(context.promptChars, reply.text.length) };
  await sendEvent(context, { content: '' }, finish);
  await writeFlushed(context.response, 'data: [DONE]\n\n');
  context.response.end();
}

async function completeReply(reply: ReplyBehaviour, context: PlayContext): Promise<void> {
  if (!(await pause(reply.firstTokenDelayMs, context.signal))) return;
  const content = contentOf(reply.text, reply.contentAsChunks === true);
  const body = chatCompletion(context.head, content, usage(context.promptChars, reply.text.length));
  sendJson(context.response, 200, body);
}

async function streamCut(text: string, afterChars: number, context: PlayContext): Promise<void> {
  startStream(context);
  for (const piece of split(text.slice(0, afterChars))) {
    await sendEvent(context, { content: piece });
  }
  context.response.destroy();
}

/** Promises a whole body, sends half of it, then drops the connection. */
async function completeCut(context: PlayContext): Promise<void> {
  const text = JSON.stringify(chatCompletion(context.head, 'never arrives whole', usage(1, 1)));
  context.response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  await writeFlushed(context.response, text.slice(0, Math.floor(text.length / 2)));
  context.response.destroy();
}

async function playMalformed(textBefore: string | undefined, context: PlayContext): Promise<void> {
  if (!context.stream) {
    context.response.writeHead(200, { 'content-type': 'application/json' });
    context.response.end('{not json');
    return;
  }
  startStream(context);
  if (textBefore !== undefined && textBefore !== '')
    await sendEvent(context, { content: textBefore });
  await writeFlushed(context.response, 'data: {not json\n\n');
  context.response.end();
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

/** Sends headers and the opening delta, which names the role and carries no text. */
function startStream(context: PlayContext): void {
  context.response.writeHead(200, SSE_HEADERS);
  context.response.write(
    `data: ${JSON.stringify(completionChunk(context.head, { role: 'assistant', content: '' }))}\n\n`,
  );
}

function sendEvent(
  context: PlayContext,
  delta: Record<string, unknown>,
  finish?: { readonly usage: Record<string, number> },
): Promise<void> {
  return writeFlushed(
    context.response,
    `data: ${JSON.stringify(completionChunk(context.head, delta, finish))}\n\n`,
  );
}

function split(text: string, size = DEFAULT_CHUNK_SIZE): string[] {
  const step = Math.max(1, Math.floor(size));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += step)
    pieces.push(text.slice(start, start + step));
  return pieces;
}

/** Waits, unless told to stop; false when the answer should be abandoned. */
async function pause(ms: number | undefined, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms === undefined || ms <= 0) return true;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
