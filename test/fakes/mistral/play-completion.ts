import { sendJson, writeFlushed } from './http-io.js';
import {
  type Dialect,
  type PlayContext,
  pause,
  SSE_HEADERS,
  sendBrokenJson,
  sendHalf,
  split,
} from './play-behaviour.js';
import type { ReplyBehaviour, ScriptStep } from './types.js';
import {
  type CompletionHead,
  chatCompletion,
  completionChunk,
  contentOf,
  statusError,
  usage,
} from './wire.js';

/** The agents-completions dialect: `chat.completion(.chunk)` bodies, `data:` lines, `[DONE]`. */
export function completionDialect(context: PlayContext, head: CompletionHead): Dialect {
  return {
    reply: (reply) =>
      context.stream ? streamReply(reply, context, head) : completeReply(reply, context, head),
    cut: (text, afterChars) =>
      context.stream
        ? streamCut(text, afterChars, context, head)
        : sendHalf(context.response, chatCompletion(head, 'never arrives whole', usage(1, 1))),
    malformed: (textBefore) => playMalformed(textBefore, context, head),
    script: (steps) => playScript(steps, context, head),
  };
}

async function streamReply(
  reply: ReplyBehaviour,
  context: PlayContext,
  head: CompletionHead,
): Promise<void> {
  startStream(context, head);
  if (!(await pause(reply.firstTokenDelayMs, context.signal))) return;
  const pieces = split(reply.text, reply.chunkSize);
  for (const [index, piece] of pieces.entries()) {
    if (index > 0 && !(await pause(reply.chunkDelayMs, context.signal))) return;
    await sendEvent(context, head, { content: contentOf(piece, reply.contentAsChunks === true) });
  }
  const finish = { usage: usage(context.promptChars, reply.text.length) };
  await sendEvent(context, head, { content: '' }, finish);
  await writeFlushed(context.response, 'data: [DONE]\n\n');
  context.response.end();
}

async function completeReply(
  reply: ReplyBehaviour,
  context: PlayContext,
  head: CompletionHead,
): Promise<void> {
  if (!(await pause(reply.firstTokenDelayMs, context.signal))) return;
  const content = contentOf(reply.text, reply.contentAsChunks === true);
  const body = chatCompletion(head, content, usage(context.promptChars, reply.text.length));
  sendJson(context.response, 200, body);
}

async function streamCut(
  text: string,
  afterChars: number,
  context: PlayContext,
  head: CompletionHead,
): Promise<void> {
  startStream(context, head);
  for (const piece of split(text.slice(0, afterChars))) {
    await sendEvent(context, head, { content: piece });
  }
  context.response.destroy();
}

async function playMalformed(
  textBefore: string | undefined,
  context: PlayContext,
  head: CompletionHead,
): Promise<void> {
  if (!context.stream) return sendBrokenJson(context.response);
  startStream(context, head);
  if (textBefore !== undefined && textBefore !== '')
    await sendEvent(context, head, { content: textBefore });
  await writeFlushed(context.response, 'data: {not json\n\n');
  context.response.end();
}

/** Completions carry text only: a script of text steps is a reply, anything else is the test's mistake. */
function playScript(
  steps: readonly ScriptStep[],
  context: PlayContext,
  head: CompletionHead,
): Promise<void> {
  const texts = steps.map((step) => ('text' in step ? step.text : undefined));
  if (texts.some((text) => text === undefined)) {
    const error = statusError(
      500,
      'The fake plays tool, file and handoff steps on /v1/conversations only',
    );
    sendJson(context.response, error.status, error.body);
    return Promise.resolve();
  }
  return completionDialect(context, head).reply({ kind: 'reply', text: texts.join('') });
}

/** Sends headers and the opening delta, which names the role and carries no text. */
function startStream(context: PlayContext, head: CompletionHead): void {
  context.response.writeHead(200, SSE_HEADERS);
  context.response.write(
    `data: ${JSON.stringify(completionChunk(head, { role: 'assistant', content: '' }))}\n\n`,
  );
}

function sendEvent(
  context: PlayContext,
  head: CompletionHead,
  delta: Record<string, unknown>,
  finish?: { readonly usage: Record<string, number> },
): Promise<void> {
  return writeFlushed(
    context.response,
    `data: ${JSON.stringify(completionChunk(head, delta, finish))}\n\n`,
  );
}
