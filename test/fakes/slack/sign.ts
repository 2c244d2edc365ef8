import { createHmac } from 'node:crypto';

/** Slack's signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` under the signing secret. */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSec: number,
): string {
  const digest = createHmac('sha256', signingSecret)
    .update(`v0:${timestampSec}:${rawBody}`)
    .digest('hex');
  return `v0=${digest}`;
}

/** The two headers Slack sends with every request to an app, for `rawBody` at `timestampSec`. */
export function slackSignatureHeaders(
  signingSecret: string,
  rawBody: string,
  timestampSec: number = Math.floor(Date.now() / 1000),
): Record<'x-slack-request-timestamp' | 'x-slack-signature', string> {
  return {
    'x-slack-request-timestamp': String(timestampSec),
    'x-slack-signature': signSlackRequest(signingSecret, rawBody, timestampSec),
  };
}
