import type { ErrorCode } from '../errors.js';

/** The one short message a person sees for each failure: no stack trace, no secret. */
const NOTICES: Readonly<Record<ErrorCode, string>> = {
  AGENT_RATE_LIMITED:
    'The agent is getting more requests than it can take right now. Please try again in a minute.',
  AGENT_NOT_FOUND:
    'I can’t find the agent this conversation is set to use. Check the agent with `/parley agent`.',
  AGENT_AUTH_FAILED:
    'I can’t reach the agent: the Mistral API key was refused. Please tell whoever runs Parley.',
  AGENT_BAD_REQUEST:
    'The agent could not accept this message, so I left it out of the conversation. You can go on.',
  AGENT_UNAVAILABLE: 'The agent is unavailable right now. Please try again shortly.',
  AGENT_TIMEOUT: 'The agent took too long to answer. Please try again.',
  AGENT_STREAM_BROKEN:
    'The answer was cut off: the connection to the agent dropped. I left this message out; please ask again.',
  AGENT_EMPTY_ANSWER:
    'The agent sent back an empty answer. I left this message out; please try rephrasing.',
  STORE_UNAVAILABLE: 'My conversation storage is unreachable right now. Please try again shortly.',
  PLATFORM_UNAVAILABLE: 'I could not post the whole answer here. Please try again shortly.',
  CANCELLED: 'Parley is restarting and stopped this answer. Please send your message again.',
  CONFIG_INVALID: 'Parley is misconfigured. Please tell whoever runs it.',
  INTERNAL: 'Something went wrong on my side. Please try again.',
};

/** Said above the answer when the person's message was longer than the conversation's budget. */
export const MESSAGE_CUT_NOTICE =
  'Your message was longer than this conversation can hold, so the agent read only its beginning.';

/** What to tell the person when a reply fails with this code. */
export function noticeFor(code: ErrorCode): string {
  return NOTICES[code];
}
