/** A fake Slack for end-to-end tests of the real Bolt and WebClient. */
export { LEGACY_VERIFICATION_TOKEN, SLACK_ACK_TIMEOUT_MS } from './deliver.js';
export { FakeFiles } from './fake-files.js';
export { FakeSlack } from './fake-slack.js';
export {
  SLACK_MAX_ALT_TEXT_LENGTH,
  SLACK_MAX_FILE_BYTES,
  SLACK_MAX_SNIPPET_BYTES,
} from './methods/files.js';
export { SLACK_RATE_LIMITS } from './rate-limiter.js';
export { RESPONSE_URL_MAX_USES } from './response-urls.js';
export {
  SLACK_MAX_BLOCKS,
  SLACK_MAX_SECTION_TEXT_LENGTH,
  SLACK_MAX_STREAM_TEXT_LENGTH,
  SLACK_MAX_TEXT_LENGTH,
} from './rules.js';
export {
  DEFAULT_CHANNELS,
  DEFAULT_USERS,
  type SeedMessageInput,
  type UserMessageInput,
} from './setup.js';
export { signSlackRequest, slackSignatureHeaders } from './sign.js';
export { DEFAULT_APP_TOKEN } from './socket-mode.js';
export { startFakeSlack } from './start.js';
export type * from './types.js';
