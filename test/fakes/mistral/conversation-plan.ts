import { entryId, type OutputChunk, type Speaker, toolCallId } from './conversation-wire.js';
import { split } from './play-behaviour.js';
import type { ScriptFile, ScriptReference, ScriptStep } from './types.js';

type Fields = Record<string, unknown>;

/** An agent as a handoff names it. */
export interface AgentRef {
  readonly id: string;
  readonly name: string;
}

/**
 * One thing the answer does, with the ids and indexes Mistral would give it. A plan is played as
 * SSE events when streamed and folded into `outputs` entries when not.
 */
export type Move =
  | {
      readonly kind: 'chunk';
      readonly outputIndex: number;
      readonly messageId: string;
      readonly contentIndex: number;
      readonly speaker: Speaker;
      readonly chunk: OutputChunk;
      /** Whether a reply's between-chunks delay comes before this one. */
      readonly paced: boolean;
    }
  | {
      readonly kind: 'tool';
      readonly outputIndex: number;
      readonly id: string;
      readonly speaker: Speaker;
      readonly name: string;
      readonly arguments: string;
      readonly info: Fields;
      /** The run is not done before this settles. */
      readonly until: Promise<unknown> | undefined;
    }
  | {
      readonly kind: 'handoff';
      readonly outputIndex: number;
      readonly id: string;
      readonly from: AgentRef;
      readonly to: AgentRef;
    }
  | {
      readonly kind: 'call';
      readonly outputIndex: number;
      readonly id: string;
      readonly speaker: Speaker;
      readonly name: string;
      readonly arguments: string;
      readonly toolCallId: string;
    }
  | { readonly kind: 'error'; readonly message: string; readonly code: number };

/** What planning needs beyond the steps. */
export interface PlanOptions {
  readonly speaker: Speaker;
  /** Sends text as `{ type: 'text', text }` chunks instead of strings. */
  readonly asChunks: boolean;
  /** Stores a connector's file and returns its id. */
  readonly storeFile: (file: ScriptFile) => string;
}

/** The message being written: more chunks join it until another kind of output comes. */
interface OpenMessage {
  readonly id: string;
  readonly outputIndex: number;
  contentIndex: number;
  lastWasText: boolean | undefined;
}

interface Planner {
  readonly moves: Move[];
  readonly options: PlanOptions;
  speaker: Speaker;
  nextOutput: number;
  message: OpenMessage | undefined;
}

/** Plans a script; a function call or an error ends the answer, so later steps are dropped. */
export function planScript(steps: readonly ScriptStep[], options: PlanOptions): Move[] {
  const planner: Planner = {
    moves: [],
    options,
    speaker: options.speaker,
    nextOutput: 0,
    message: undefined,
  };
  for (const step of steps) {
    planStep(planner, step);
    const last = planner.moves.at(-1);
    if (last?.kind === 'call' || last?.kind === 'error') break;
  }
  return planner.moves;
}

function planStep(planner: Planner, step: ScriptStep): void {
  if ('text' in step) planText(planner, step.text, step.chunkSize);
  else if ('reference' in step) addChunk(planner, referenceChunk(step.reference), false);
  else if ('file' in step) addChunk(planner, fileChunk(step.file, planner.options), false);
  else if ('tool' in step) planTool(planner, step);
  else if ('handoff' in step) planHandoff(planner, step.handoff);
  else if ('functionCall' in step) planCall(planner, step.functionCall);
  else planner.moves.push({ kind: 'error', ...step.error });
}

function planText(planner: Planner, text: string, chunkSize: number | undefined): void {
  for (const piece of split(text, chunkSize)) {
    addChunk(planner, planner.options.asChunks ? { type: 'text', text: piece } : piece, true);
  }
}

/** Adds a chunk to the open message (opening one if needed); a new kind of chunk is a new index. */
function addChunk(planner: Planner, chunk: OutputChunk, isText: boolean): void {
  const message = planner.message ?? openMessage(planner);
  const continuesText = isText && message.lastWasText === true;
  if (message.lastWasText !== undefined && !continuesText) message.contentIndex += 1;
  message.lastWasText = isText;
  planner.moves.push({
    kind: 'chunk',
    outputIndex: message.outputIndex,
    messageId: message.id,
    contentIndex: message.contentIndex,
    speaker: planner.speaker,
    chunk,
    paced: planner.moves.length > 0,
  });
}

function openMessage(planner: Planner): OpenMessage {
  const message: OpenMessage = {
    id: entryId('msg'),
    outputIndex: nextOutput(planner),
    contentIndex: 0,
    lastWasText: undefined,
  };
  planner.message = message;
  return message;
}

/** Ends the open message and takes the next output index. */
function nextOutput(planner: Planner): number {
  planner.message = undefined;
  const index = planner.nextOutput;
  planner.nextOutput += 1;
  return index;
}

function planTool(
  planner: Planner,
  step: {
    readonly tool: string;
    readonly arguments?: string;
    readonly info?: Fields;
    readonly until?: Promise<unknown>;
  },
): void {
  const args = step.arguments ?? '';
  planner.moves.push({
    kind: 'tool',
    outputIndex: nextOutput(planner),
    id: entryId('tool_exec'),
    speaker: planner.speaker,
    name: step.tool,
    arguments: args,
    info: toolInfo(step.tool, args, step.info ?? {}),
    until: step.until,
  });
}

/**
 * Code interpreter reports the code it ran and its output twice over (recorded answers show
 * `info: { result: [{ type: 'text', text }], code, code_output }`); other connectors send what is given.
 */
function toolInfo(tool: string, args: string, info: Fields): Fields {
  if (tool !== 'code_interpreter' || typeof info.code_output !== 'string') return info;
  return { result: [{ type: 'text', text: info.code_output }], code: codeOf(args), ...info };
}

function codeOf(args: string): string {
  try {
    const parsed = JSON.parse(args) as unknown;
    const code =
      typeof parsed === 'object' && parsed !== null && 'code' in parsed ? parsed.code : '';
    return typeof code === 'string' ? code : '';
  } catch {
    return '';
  }
}

function planHandoff(
  planner: Planner,
  handoff: { readonly toAgentId: string; readonly toAgentName: string },
): void {
  const speaker = planner.speaker;
  const from = { id: speaker.agentId ?? speaker.model, name: speaker.agentName ?? speaker.model };
  const to = { id: handoff.toAgentId, name: handoff.toAgentName };
  planner.moves.push({
    kind: 'handoff',
    outputIndex: nextOutput(planner),
    id: entryId('handoff'),
    from,
    to,
  });
  planner.speaker = { ...speaker, agentId: to.id, agentName: to.name };
}

function planCall(
  planner: Planner,
  call: { readonly name: string; readonly arguments: string; readonly toolCallId?: string },
): void {
  planner.moves.push({
    kind: 'call',
    outputIndex: nextOutput(planner),
    id: entryId('fc'),
    speaker: planner.speaker,
    name: call.name,
    arguments: call.arguments,
    toolCallId: call.toolCallId ?? toolCallId(),
  });
}

function referenceChunk(reference: ScriptReference): Fields {
  const { tool = 'web_search', ...rest } = reference;
  return { type: 'tool_reference', tool, ...rest };
}

function fileChunk(file: ScriptFile, options: PlanOptions): Fields {
  return {
    type: 'tool_file',
    tool: file.tool ?? 'code_interpreter',
    file_id: options.storeFile(file),
    file_name: file.name,
    file_type: file.type,
  };
}
