import { Mistral } from '@mistralai/mistralai';
import { type Logger, LogLevel } from '@slack/bolt';
import type { FakeMistral } from '../fakes/mistral/fake-mistral.js';

/** Bolt's and the Web API's logger, silenced: the fakes' tests read results, not SDK chatter. */
export const silentSlackLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** The real Mistral SDK pointed at a fake, without retries (a refusal shows at once). */
export function mistralFor(fake: FakeMistral): Mistral {
  return new Mistral({
    apiKey: fake.apiKey,
    serverURL: fake.url,
    retryConfig: { strategy: 'none' },
  });
}
