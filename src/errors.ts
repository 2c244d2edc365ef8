/** Stable error codes; what a person sees is chosen from the code, never from message text. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'AGENT_RATE_LIMITED'
  | 'AGENT_NOT_FOUND'
  | 'AGENT_AUTH_FAILED'
  | 'AGENT_BAD_REQUEST'
  | 'AGENT_UNAVAILABLE'
  | 'AGENT_TIMEOUT'
  | 'AGENT_STREAM_BROKEN'
  | 'AGENT_EMPTY_ANSWER'
  | 'PLATFORM_UNAVAILABLE'
  | 'STORE_UNAVAILABLE'
  | 'CANCELLED'
  | 'INTERNAL';

export interface ParleyErrorOptions {
  readonly cause?: unknown;
  /** Seconds the far side asked us to wait, when it said. */
  readonly retryAfterSeconds?: number;
}

/** The one error base of Parley: a stable code, a message for logs, and the cause. */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: ParleyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ParleyError';
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Wraps anything thrown at a boundary so callers only ever see a ParleyError. */
export function toParleyError(error: unknown, fallback: ErrorCode = 'INTERNAL'): ParleyError {
  if (error instanceof ParleyError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ParleyError(fallback, message, { cause: error });
}

/** True for errors raised because an AbortSignal fired. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
