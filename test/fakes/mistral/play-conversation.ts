import { type Move, planScript } from './conversation-plan.js';
import {
  conversationResponse,
  conversationUsage,
  functionCallEntry,
  handoffEntry,
  messageOutputEntry,
  type OutputChunk,
  type Speaker,
  speakerFields,
  sseEvent,
  toolExecutionEntry,
} from './conversation-wire.js';
import { sendJson, writeFlushed } from './http-io.js';
import {
  type Dialect,
  opened,
  type PlayContext,
  pause,
  SSE_HEADERS,
  sendBrokenJson,
  sendHalf,
} from './play-behaviour.js';
import type { ScriptFile, ScriptStep } from './types.js';
import { statusError, usage } from './wire.js';

type Fields = Record<string, unknown>;

/** What the conversations dialect knows about the conversation it answers. */
export interface ConversationRun {
  readonly conversationId: string;
  readonly speaker: Speaker;
  /** The fake's clock, epoch milliseconds. */
  readonly now: () => number;
  readonly storeFile: (file: ScriptFile) => string;
}

interface Timing {
  readonly firstTokenDelayMs?: number | undefined;
  readonly chunkDelayMs?: number | undefined;
}

/** The Conversations dialect: `event:`/`data:` SSE events, or one `conversation.response`. */
export function conversationDialect(context: PlayContext, run: ConversationRun): Dialect {
  const plan = (steps: readonly ScriptStep[], asChunks = false): Move[] =>
    planScript(steps, { speaker: run.speaker, asChunks, storeFile: run.storeFile });
  const play = (moves: readonly Move[], timing: Timing): Promise<void> =>
    context.stream
      ? streamMoves(moves, timing, context, run)
      : answerMoves(moves, timing, context, run);
  return {
    reply: (reply) => {
      const size = reply.chunkSize === undefined ? {} : { chunkSize: reply.chunkSize };
      return play(plan([{ text: reply.text, ...size }], reply.contentAsChunks === true), reply);
    },
    cut: (text, afterChars) =>
      context.stream
        ? streamCut(plan([{ text: text.slice(0, afterChars) }]), context, run)
        : sendHalf(context.response, conversationResponse(run.conversationId, [], usage(1, 1))),
    malformed: (textBefore) => playMalformed(plan([{ text: textBefore ?? '' }]), context, run),
    script: (steps) => play(plan(steps), {}),
  };
}

async function streamMoves(
  moves: readonly Move[],
  timing: Timing,
  context: PlayContext,
  run: ConversationRun,
): Promise<void> {
  await startStream(context, run);
  if (!(await pause(timing.firstTokenDelayMs, context.signal))) return;
  for (const move of moves) {
    if (move.kind === 'chunk' && move.paced && !(await pause(timing.chunkDelayMs, context.signal)))
      return;
    if (move.kind === 'tool' && move.until !== undefined) {
      await writeFlushed(context.response, toolStartEvents(move, at(run)));
      if (!(await opened(move.until, context.signal))) return;
      await writeFlushed(context.response, toolDoneEvent(move, at(run)));
      continue;
    }
    await writeFlushed(context.response, eventsOf(move, at(run)));
    if (move.kind === 'error') {
      context.response.end();
      return;
    }
  }
  const done = { usage: usageOf(moves, context.promptChars) };
  await writeFlushed(context.response, sseEvent('conversation.response.done', at(run), done));
  context.response.end();
}

/** Streams what was written before the cut, then destroys the socket: no response.done. */
async function streamCut(
  moves: readonly Move[],
  context: PlayContext,
  run: ConversationRun,
): Promise<void> {
  await startStream(context, run);
  for (const move of moves) await writeFlushed(context.response, eventsOf(move, at(run)));
  context.response.destroy();
}

async function playMalformed(
  moves: readonly Move[],
  context: PlayContext,
  run: ConversationRun,
): Promise<void> {
  if (!context.stream) return sendBrokenJson(context.response);
  await startStream(context, run);
  for (const move of moves) await writeFlushed(context.response, eventsOf(move, at(run)));
  await writeFlushed(context.response, 'event: message.output.delta\ndata: {not json\n\n');
  context.response.end();
}

/** Not streamed: the moves become `outputs`; an error step answers with an error status instead. */
async function answerMoves(
  moves: readonly Move[],
  timing: Timing,
  context: PlayContext,
  run: ConversationRun,
): Promise<void> {
  if (!(await pause(timing.firstTokenDelayMs, context.signal))) return;
  for (const move of moves)
    if (
      move.kind === 'tool' &&
      move.until !== undefined &&
      !(await opened(move.until, context.signal))
    )
      return;
  const error = moves.find((move) => move.kind === 'error');
  if (error !== undefined) {
    const status = error.code >= 400 && error.code < 600 ? error.code : 500;
    const reply = statusError(status, error.message);
    return sendJson(context.response, reply.status, reply.body);
  }
  const body = conversationResponse(
    run.conversationId,
    outputsOf(moves, at(run)),
    usageOf(moves, context.promptChars),
  );
  sendJson(context.response, 200, body);
}

function startStream(context: PlayContext, run: ConversationRun): Promise<void> {
  context.response.writeHead(200, {
    ...SSE_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
  });
  const started = { conversation_id: run.conversationId };
  return writeFlushed(
    context.response,
    sseEvent('conversation.response.started', at(run), started),
  );
}

/** The SSE events one move is streamed as. */
function eventsOf(move: Move, time: string): string {
  switch (move.kind) {
    case 'chunk':
      return sseEvent('message.output.delta', time, {
        output_index: move.outputIndex,
        id: move.messageId,
        content_index: move.contentIndex,
        ...speakerFields(move.speaker),
        role: 'assistant',
        content: move.chunk,
      });
    case 'tool':
      return toolEvents(move, time);
    case 'handoff': {
      const head = { output_index: move.outputIndex, id: move.id };
      const from = { previous_agent_id: move.from.id, previous_agent_name: move.from.name };
      const to = { next_agent_id: move.to.id, next_agent_name: move.to.name };
      return (
        sseEvent('agent.handoff.started', time, { ...head, ...from }) +
        sseEvent('agent.handoff.done', time, { ...head, ...to })
      );
    }
    case 'call':
      return sseEvent('function.call.delta', time, {
        output_index: move.outputIndex,
        id: move.id,
        ...speakerFields(move.speaker),
        name: move.name,
        tool_call_id: move.toolCallId,
        arguments: move.arguments,
      });
    case 'error':
      return sseEvent('conversation.response.error', time, {
        message: move.message,
        code: move.code,
      });
  }
}

type ToolMove = Extract<Move, { kind: 'tool' }>;

/** Started with empty arguments, the arguments as a delta, then done with the run's info. */
function toolEvents(move: ToolMove, time: string): string {
  return toolStartEvents(move, time) + toolDoneEvent(move, time);
}

function toolStartEvents(move: ToolMove, time: string): string {
  const head = { output_index: move.outputIndex, id: move.id };
  const named = { name: move.name, function: move.name };
  const started = sseEvent('tool.execution.started', time, {
    ...head,
    ...speakerFields(move.speaker),
    ...named,
    arguments: '',
  });
  const delta =
    move.arguments === ''
      ? ''
      : sseEvent('tool.execution.delta', time, { ...head, ...named, arguments: move.arguments });
  return started + delta;
}

function toolDoneEvent(move: ToolMove, time: string): string {
  const head = { output_index: move.outputIndex, id: move.id };
  const named = { name: move.name, function: move.name };
  return sseEvent('tool.execution.done', time, { ...head, ...named, info: move.info });
}

/** Folds moves into entries: a message's chunks become one `message.output`. */
function outputsOf(moves: readonly Move[], time: string): Fields[] {
  const times = { createdAt: time, completedAt: time };
  const outputs: Fields[] = [];
  const messages = new Map<
    string,
    { readonly speaker: Speaker; readonly chunks: OutputChunk[]; readonly slot: number }
  >();
  for (const move of moves) {
    if (move.kind === 'chunk') {
      const message = messages.get(move.messageId);
      if (message !== undefined) message.chunks.push(move.chunk);
      else
        messages.set(move.messageId, {
          speaker: move.speaker,
          chunks: [move.chunk],
          slot: outputs.push({}) - 1,
        });
    } else if (move.kind === 'tool') {
      outputs.push(toolExecutionEntry(move.id, move.speaker, move, times));
    } else if (move.kind === 'handoff') {
      outputs.push(handoffEntry(move.id, move.from, move.to, times));
    } else if (move.kind === 'call') {
      outputs.push(functionCallEntry(move.id, move.speaker, move, time));
    }
  }
  for (const [id, message] of messages) {
    outputs[message.slot] = messageOutputEntry(id, message.speaker, message.chunks, times);
  }
  return outputs;
}

function usageOf(moves: readonly Move[], promptChars: number): Fields {
  let completionChars = 0;
  const connectors: Record<string, number> = {};
  for (const move of moves) {
    if (move.kind === 'chunk') completionChars += chunkLength(move.chunk);
    if (move.kind === 'call') completionChars += move.arguments.length;
    if (move.kind === 'tool') {
      completionChars += move.arguments.length;
      connectors[move.name] = (connectors[move.name] ?? 0) + 1;
    }
  }
  return conversationUsage(usage(promptChars, completionChars), connectors);
}

function chunkLength(chunk: OutputChunk): number {
  if (typeof chunk === 'string') return chunk.length;
  return typeof chunk.text === 'string' ? chunk.text.length : JSON.stringify(chunk).length;
}

function at(run: ConversationRun): string {
  return new Date(run.now()).toISOString();
}
