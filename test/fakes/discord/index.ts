/**
 * A fake Discord (REST v10 + Gateway v10) for driving the real discord.js Client in tests.
 * Files: the bot uploads through multipart `payload_json` + `files[n]` (messages, webhooks,
 * edits, interaction replies); a test's user posts them with `sendMessage`/`sendDm({ attachments })`;
 * `fake.attachments(channelId)` lists what is posted (bytes, type, poster, downloads) and the
 * signed, expiring attachment URLs are served at `fake.cdnUrl` (`fake.cdnStats` counts requests).
 */
export { ATTACHMENT_LIMITS } from './attachments.js';
export { CDN_URL_LIFETIME_MS } from './cdn.js';
export { DEFAULT_IDS, FakeDiscord, startFakeDiscord } from './fake-discord.js';
export type { ButtonInput, OptionValue, SlashCommandInput } from './interactions.js';
export { NO_PINGS } from './pings.js';
export type * from './types.js';
export type { DirectMessageInput, IncomingMessageInput } from './user-messages.js';
