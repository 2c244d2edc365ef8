import { Mistral } from '@mistralai/mistralai';
import type { InputEntries } from '@mistralai/mistralai/models/components';
import type { MistralConfig } from '../config/config.js';
import { sleep } from '../core/timing.js';
import { ParleyError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { AgentClient, AgentEvent, AgentInfo, AgentRequest } from './agent-client.js';
import { describeCache } from './describe-cache.js';
import { IdleTimeout } from './idle-timeout.js';
import { createDocumentCache, type DocumentRegistry } from './mistral-documents.js';
import { classifyAttemptError } from './mistral-errors.js';
import { type ResponseRecord, responseEvents, streamedEvents } from './mistral-events.js';
import { conversationInputs } from './mistral-inputs.js';
import { DEFAULT_RETRY_POLICY, nextDelayMs, type RetryPolicy } from './retry-policy.js';
import { type ChatMessage, shapeMessages } from './shape-messages.js';

export interface MistralClientDeps {
  readonly logger: Logger;
  readonly retryPolicy?: Partial<RetryPolicy>;
  readonly now?: () => number;
  /** Told when Mistral answers 429, with how long it asked to wait (the key's limit is global). */
  readonly onRateLimited?: (waitMs: number) => void;
  /** Shared by every process (Redis): a dead process's documents are deleted by another. */
  readonly documentRegistry?: DocumentRegistry;
}

// When Mistral sends 429 without Retry-After, the queue backs off this long.
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

// How many times one answer may ask for functions before Parley stops answering them.
const MOST_FUNCTION_ROUNDS = 4;
// A signed URL for a document lives long enough for one call, retries included.
const DOCUMENT_URL_EXPIRY_HOURS = 1;
// Deleting a document is tidying up: it may not hold a shutdown for long.
const DOCUMENT_DELETE_TIMEOUT_MS = 5_000;

/** What a function call gets back: this chat runs no functions, and the agent should go on. */
export function unavailableFunctionResult(name: string): string {
  return JSON.stringify({
    error: `The function "${name}" is not available in this chat. Answer without it.`,
  });
}

/** The AgentClient over Mistral's Conversations API (`/v1/conversations`), storing nothing there. */
export function createMistralAgentClient(
  config: MistralConfig,
  deps: MistralClientDeps,
): AgentClient {
  // Retries are Parley's own (below): the SDK's would not honour Retry-After within our budget.
  const sdk = new Mistral({
    apiKey: config.apiKey,
    serverURL: config.serverUrl,
    retryConfig: { strategy: 'none' },
  });
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    budgetMs: config.retryBudgetMs,
    ...deps.retryPolicy,
  };
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'mistral' });

  async function withRetries<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const started = now();
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const failure = classifyAttemptError(error);
        if (failure.error.code === 'AGENT_RATE_LIMITED') {
          const seconds = failure.error.retryAfterSeconds;
          deps.onRateLimited?.(
            seconds === undefined ? DEFAULT_RATE_LIMIT_WAIT_MS : seconds * 1_000,
          );
        }
        const delay = failure.isRetryable
          ? nextDelayMs(policy, attempt, now() - started, failure.error.retryAfterSeconds)
          : undefined;
        if (delay === undefined || signal.aborted) throw failure.error;
        log.warn('agent call retried', { code: failure.error.code, attempt, delayMs: delay });
        await sleep(delay, signal);
      }
    }
  }

  /**
   * A PDF goes to Mistral's files API (once); the agent reads it from a signed URL. It is
   * deleted there once unused for an hour, and when Parley stops; with Redis, one whose process
   * died is deleted by another (see createDocumentCache).
   */
  const documents = createDocumentCache(
    {
      upload: async (file, signal) => {
        const uploaded = await withRetries(
          () =>
            sdk.files.upload(
              { file: { fileName: file.name, content: file.bytes }, purpose: 'ocr' },
              { signal },
            ),
          signal,
        );
        return uploaded.id;
      },
      sign: async (fileId, signal) => {
        const signed = await withRetries(
          () => sdk.files.getSignedUrl({ fileId, expiry: DOCUMENT_URL_EXPIRY_HOURS }, { signal }),
          signal,
        );
        return signed.url;
      },
      remove: async (fileId) => {
        await sdk.files.delete({ fileId }, { timeoutMs: DOCUMENT_DELETE_TIMEOUT_MS });
      },
    },
    {
      now,
      onRemoveFailed: (error) =>
        log.warn('uploaded document not deleted', { code: classifyAttemptError(error).error.code }),
      ...(deps.documentRegistry && {
        registry: deps.documentRegistry,
        onRegistryFailed: (error: unknown) => log.warn('document registry unavailable', { error }),
      }),
    },
  );

  /** One response: streamed events, or the complete answer's, and how it ended. */
  async function* respond(
    request: AgentRequest,
    inputs: InputEntries[],
    record: ResponseRecord,
  ): AsyncGenerator<AgentEvent> {
    const idle = new IdleTimeout(config.timeoutMs, request.signal);
    const body = { agentId: request.agentId, inputs, store: false };
    try {
      if (request.stream === false) {
        const response = await withRetries(
          () => sdk.beta.conversations.start(body, { signal: idle.signal }),
          idle.signal,
        );
        yield* responseEvents(response, record);
        return;
      }
      const events = await withRetries(
        () => sdk.beta.conversations.startStream(body, { signal: idle.signal }),
        idle.signal,
      );
      try {
        yield* streamedEvents(events, record, () => idle.touch());
      } catch (error) {
        if (error instanceof ParleyError || idle.hasFired) throw error;
        throw new ParleyError('AGENT_STREAM_BROKEN', 'agent stream failed mid-answer', {
          cause: error,
        });
      }
      if (!record.hasFinished)
        throw new ParleyError(
          'AGENT_STREAM_BROKEN',
          'agent stream ended before the answer finished',
        );
    } catch (error) {
      throw idle.hasFired ? timeoutError(error) : classifyAttemptError(error).error;
    } finally {
      idle.dispose();
    }
  }

  /**
   * The whole answer. A function call is answered "not available" and the agent asked to go on,
   * with its own outputs so far echoed back (nothing is stored at Mistral).
   */
  async function* answer(
    request: AgentRequest,
    messages: ChatMessage[],
  ): AsyncGenerator<AgentEvent> {
    const signal = request.signal ?? new AbortController().signal;
    let inputs = await conversationInputs(messages, (file) => documents.urlOf(file, signal)).catch(
      (error: unknown) => {
        throw classifyAttemptError(error).error;
      },
    );
    for (let round = 0; ; round += 1) {
      const record: ResponseRecord = { hasFinished: false, calls: [], outputs: [] };
      yield* respond(request, inputs, record);
      if (record.calls.length === 0 || round + 1 >= MOST_FUNCTION_ROUNDS) break;
      for (const call of record.calls) yield { kind: 'function-call', name: call.name };
      const results: InputEntries[] = record.calls.map((call) => ({
        type: 'function.result',
        toolCallId: call.toolCallId,
        result: unavailableFunctionResult(call.name),
      }));
      inputs = [...inputs, ...record.outputs, ...results];
    }
    yield { kind: 'done' };
  }

  const describe = describeCache(async (agentId: string): Promise<AgentInfo> => {
    try {
      const agent = await sdk.beta.agents.get({ agentId }, { timeoutMs: config.timeoutMs });
      // Whether its model reads images decides whether people's images go as images.
      const vision = await sdk.models
        .retrieve({ modelId: agent.model }, { timeoutMs: config.timeoutMs })
        .then(
          (card) => ('capabilities' in card ? card.capabilities.vision : undefined),
          () => undefined,
        );
      return { id: agentId, name: agent.name, exists: true, vision };
    } catch (error) {
      // "Not found" is an answer (the id is wrong); anything else means we could not ask.
      if (classifyAttemptError(error).error.code === 'AGENT_NOT_FOUND')
        return { id: agentId, name: undefined, exists: false };
      throw error;
    }
  }, log);

  return {
    stream(request) {
      const messages = shapeMessages(request.messages, {
        isShared: request.isShared,
        ...(request.files === undefined ? {} : { files: request.files }),
      });
      if (messages.length === 0) return emptyConversation();
      return answer(request, messages);
    },
    describe,
    async readFile(fileId, signal) {
      const idle = new IdleTimeout(config.timeoutMs, signal);
      try {
        const body = await withRetries(
          () => sdk.files.download({ fileId }, { signal: idle.signal }),
          idle.signal,
        );
        return new Uint8Array(await new Response(body).arrayBuffer());
      } catch (error) {
        throw idle.hasFired ? timeoutError(error) : classifyAttemptError(error).error;
      } finally {
        idle.dispose();
      }
    },
    close: () => documents.close(),
  };
}

function timeoutError(cause: unknown): ParleyError {
  return new ParleyError('AGENT_TIMEOUT', 'agent did not answer in time', { cause });
}

// biome-ignore lint/correctness/useYield: an empty conversation fails before anything is sent.
async function* emptyConversation(): AsyncGenerator<AgentEvent> {
  throw new ParleyError('AGENT_BAD_REQUEST', 'the conversation has no user message to answer');
}
