import { Mistral } from '@mistralai/mistralai';
import type { MistralConfig } from '../config/config.js';
import { sleep } from '../core/timing.js';
import { ParleyError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { AgentClient, AgentInfo, AgentRequest } from './agent-client.js';
import { describeCache } from './describe-cache.js';
import { IdleTimeout } from './idle-timeout.js';
import { classifyAttemptError } from './mistral-errors.js';
import { DEFAULT_RETRY_POLICY, nextDelayMs, type RetryPolicy } from './retry-policy.js';
import { type ChatMessage, contentToText, shapeMessages } from './shape-messages.js';

export interface MistralClientDeps {
  readonly logger: Logger;
  readonly retryPolicy?: Partial<RetryPolicy>;
  readonly now?: () => number;
  /** Told when Mistral answers 429, with how long it asked to wait (the key's limit is global). */
  readonly onRateLimited?: (waitMs: number) => void;
}

// When Mistral sends 429 without Retry-After, the queue backs off this long.
const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

type StreamEvents = Awaited<ReturnType<Mistral['agents']['stream']>>;

/** The AgentClient over Mistral's Agents API (`/v1/agents/completions`). */
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

  async function* streamAnswer(
    request: AgentRequest,
    messages: ChatMessage[],
  ): AsyncGenerator<string> {
    const idle = new IdleTimeout(config.timeoutMs, request.signal);
    try {
      const events = await withRetries(
        () => sdk.agents.stream({ agentId: request.agentId, messages }, { signal: idle.signal }),
        idle.signal,
      );
      yield* readEvents(events, idle);
    } catch (error) {
      throw idle.hasFired ? timeoutError(error) : classifyAttemptError(error).error;
    } finally {
      idle.dispose();
    }
  }

  async function* completeAnswer(
    request: AgentRequest,
    messages: ChatMessage[],
  ): AsyncGenerator<string> {
    const idle = new IdleTimeout(config.timeoutMs, request.signal);
    try {
      const response = await withRetries(
        () => sdk.agents.complete({ agentId: request.agentId, messages }, { signal: idle.signal }),
        idle.signal,
      );
      const text = contentToText(response.choices[0]?.message?.content);
      if (text !== '') yield text;
    } catch (error) {
      throw idle.hasFired ? timeoutError(error) : classifyAttemptError(error).error;
    } finally {
      idle.dispose();
    }
  }

  const describe = describeCache(async (agentId: string): Promise<AgentInfo> => {
    try {
      const agent = await sdk.beta.agents.get({ agentId }, { timeoutMs: config.timeoutMs });
      return { id: agentId, name: agent.name, exists: true };
    } catch (error) {
      // "Not found" is an answer (the id is wrong); anything else means we could not ask.
      if (classifyAttemptError(error).error.code === 'AGENT_NOT_FOUND')
        return { id: agentId, name: undefined, exists: false };
      throw error;
    }
  }, log);

  return {
    stream(request) {
      const messages = shapeMessages(request.messages, { isShared: request.isShared });
      if (messages.length === 0) return emptyConversation();
      return request.stream === false
        ? completeAnswer(request, messages)
        : streamAnswer(request, messages);
    },
    describe,
  };
}

/** Reads SSE chunks into text; a stream that ends without a finish reason was cut. */
async function* readEvents(events: StreamEvents, idle: IdleTimeout): AsyncGenerator<string> {
  let hasFinished = false;
  try {
    for await (const event of events) {
      idle.touch();
      const choice = event.data.choices[0];
      const text = contentToText(choice?.delta.content);
      if (choice?.finishReason) hasFinished = true;
      if (text !== '') yield text;
    }
  } catch (error) {
    if (idle.hasFired) throw timeoutError(error);
    throw new ParleyError('AGENT_STREAM_BROKEN', 'agent stream failed mid-answer', {
      cause: error,
    });
  }
  if (!hasFinished) {
    throw new ParleyError('AGENT_STREAM_BROKEN', 'agent stream ended before the answer finished');
  }
}

function timeoutError(cause: unknown): ParleyError {
  return new ParleyError('AGENT_TIMEOUT', 'agent did not answer in time', { cause });
}

// biome-ignore lint/correctness/useYield: an empty conversation fails before anything is sent.
async function* emptyConversation(): AsyncGenerator<string> {
  throw new ParleyError('AGENT_BAD_REQUEST', 'the conversation has no user message to answer');
}
