import type { AgentClient, AgentEvent, AgentRequest } from '../../src/agent/agent-client.js';
import { ParleyError } from '../../src/errors.js';

/** One scripted answer: text chunks (or whole events), or a failure after some of them. */
export type ScriptedAnswer =
  | { readonly chunks: readonly (string | AgentEvent)[] }
  | { readonly chunks: readonly (string | AgentEvent)[]; readonly error: ParleyError };

/** An AgentClient whose answers are given by a function of the request; records every call. */
export function scriptedAgent(
  answer: (request: AgentRequest, call: number) => ScriptedAnswer | Promise<ScriptedAnswer>,
) {
  const calls: AgentRequest[] = [];
  /** The files the agent "made", by id, for `file` events. */
  const files = new Map<string, Uint8Array>();
  const client: AgentClient = {
    async *stream(request) {
      calls.push(request);
      const scripted = await untilAborted(
        Promise.resolve(answer(request, calls.length)),
        request.signal,
      );
      for (const chunk of scripted.chunks)
        yield typeof chunk === 'string' ? { kind: 'text', text: chunk } : chunk;
      if ('error' in scripted) throw scripted.error;
    },
    describe: async (agentId) =>
      agentId.includes('missing')
        ? { id: agentId, name: undefined, exists: false }
        : { id: agentId, name: `Agent ${agentId}`, exists: true },
    readFile: async (fileId) => {
      const bytes = files.get(fileId);
      if (bytes === undefined) throw new ParleyError('AGENT_NOT_FOUND', `no file ${fileId}`);
      return bytes;
    },
  };
  return { client, calls, files };
}

/** The text of the last message of a request. */
export function lastText(request: AgentRequest): string {
  return request.messages.at(-1)?.text ?? '';
}

export function failure(code: ConstructorParameters<typeof ParleyError>[0]): ParleyError {
  return new ParleyError(code, `scripted ${code}`);
}

/** Like a real client, stops waiting when the request is aborted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
