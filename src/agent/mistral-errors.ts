import { MistralError } from '@mistralai/mistralai/models/errors';
import { type ErrorCode, ParleyError } from '../errors.js';
import { isRetryableStatus, parseRetryAfter } from './retry-policy.js';

/** How one failed attempt is classified: its Parley error, and whether trying again may help. */
export interface AttemptFailure {
  readonly error: ParleyError;
  readonly isRetryable: boolean;
}

const STATUS_CODES: ReadonlyArray<readonly [(status: number) => boolean, ErrorCode]> = [
  [(status) => status === 401 || status === 403, 'AGENT_AUTH_FAILED'],
  [(status) => status === 404, 'AGENT_NOT_FOUND'],
  [(status) => status === 429, 'AGENT_RATE_LIMITED'],
  [(status) => status >= 500, 'AGENT_UNAVAILABLE'],
  [(status) => status >= 400, 'AGENT_BAD_REQUEST'],
];

// The SDK's transport errors, told apart by their class name (stable across its versions).
const TRANSPORT_CODES: Readonly<Record<string, ErrorCode>> = {
  ConnectionError: 'AGENT_UNAVAILABLE',
  RequestTimeoutError: 'AGENT_TIMEOUT',
  RequestAbortedError: 'CANCELLED',
};

/** Maps anything the SDK throws before the answer starts to Parley's taxonomy. */
export function classifyAttemptError(error: unknown): AttemptFailure {
  if (error instanceof ParleyError) return { error, isRetryable: false };
  if (error instanceof MistralError) return classifyHttpError(error);
  const name = error instanceof Error ? error.name : '';
  const code = TRANSPORT_CODES[name] ?? 'AGENT_UNAVAILABLE';
  const message = `agent call failed (${name || 'unknown error'})`;
  return {
    error: new ParleyError(code, message, { cause: error }),
    isRetryable: code === 'AGENT_UNAVAILABLE',
  };
}

function classifyHttpError(error: MistralError): AttemptFailure {
  const status = error.statusCode;
  const code = STATUS_CODES.find(([matches]) => matches(status))?.[1] ?? 'INTERNAL';
  const retryAfterSeconds = parseRetryAfter(error.headers.get('retry-after'));
  const parleyError = new ParleyError(code, `agent call failed with HTTP ${status}`, {
    cause: error,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
  return { error: parleyError, isRetryable: isRetryableStatus(status) };
}
