/** A fake Discord (REST v10 + Gateway v10) for driving the real discord.js Client in tests. */
export {
  DEFAULT_IDS,
  type DirectMessageInput,
  FakeDiscord,
  type IncomingMessageInput,
  startFakeDiscord,
} from './fake-discord.js';
export type { ButtonInput, OptionValue, SlashCommandInput } from './interactions.js';
export { NO_PINGS } from './pings.js';
export type * from './types.js';
