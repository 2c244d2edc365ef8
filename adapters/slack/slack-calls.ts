import type { webApi } from '@slack/bolt';
import { isRecord } from '../../src/core/guards.js';
import { sleep } from '../../src/core/timing.js';
import { ParleyError } from '../../src/errors.js';

export type WebClient = webApi.WebClient;

// Slack asks for waits of a second to a minute; a reply that would wait longer in total is
// better told to the person as "try again".
const MAX_RATE_LIMIT_WAIT_MS = 60_000;
const RATE_LIMITED_CODE = 'slack_webapi_rate_limited_error';

/**
 * Runs one Web API call, waiting out Slack's 429 `Retry-After` and trying again (the call was
 * refused, so nothing was written). Any other failure is not retried: a write that timed out
 * may have been posted, and posting it again would show it twice.
 */
export async function callSlack<T>(
  call: () => Promise<T>,
  maxWaitMs = MAX_RATE_LIMIT_WAIT_MS,
): Promise<T> {
  let waited = 0;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const retryAfterMs = rateLimitWaitMs(error);
      if (retryAfterMs === undefined || waited + retryAfterMs > maxWaitMs)
        throw asPlatformError(error);
      waited += retryAfterMs;
      await sleep(retryAfterMs);
    }
  }
}

function rateLimitWaitMs(error: unknown): number | undefined {
  if (!isRecord(error) || error.code !== RATE_LIMITED_CODE) return undefined;
  return typeof error.retryAfter === 'number' ? Math.max(0, error.retryAfter * 1000) : undefined;
}

/** The Slack error code (`channel_not_found`, …) of a failed call, if Slack gave one. */
export function slackErrorCode(error: unknown): string | undefined {
  const cause = error instanceof ParleyError ? error.cause : error;
  if (!isRecord(cause) || !isRecord(cause.data)) return undefined;
  return typeof cause.data.error === 'string' ? cause.data.error : undefined;
}

function asPlatformError(error: unknown): ParleyError {
  if (error instanceof ParleyError) return error;
  const code = slackErrorCode(error);
  return new ParleyError('PLATFORM_UNAVAILABLE', `slack call failed${code ? `: ${code}` : ''}`, {
    cause: error,
  });
}
