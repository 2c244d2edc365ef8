import {
  createDiscordAdapter,
  type DiscordAdapter,
} from '../../../adapters/discord/discord-adapter.js';
import { type Core, createCore } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/config.js';
import { createLogger } from '../../../src/log/logger.js';
import { createPrometheusMetrics } from '../../../src/metrics/metrics.js';
import { createMemoryConversationStore } from '../../../src/store/memory-store.js';
import {
  type FakeDiscord,
  type FakeDiscordOptions,
  startFakeDiscord,
} from '../../fakes/discord/index.js';
import { type FakeMistral, startFakeMistral } from '../../fakes/mistral/fake-mistral.js';

export const AGENT = 'ag:discord:main';
export const OTHER_AGENT = 'ag:discord:other';
export const MISTRAL_KEY = 'mistral-secret-key-for-discord-tests';

/** Parley with its Discord adapter, wired to a fake Discord and a fake Mistral. */
export interface DiscordRig {
  readonly discord: FakeDiscord;
  readonly mistral: FakeMistral;
  readonly core: Core;
  readonly adapter: DiscordAdapter;
  readonly logs: () => string;
  close(): Promise<void>;
}

export async function startDiscordRig(options: FakeDiscordOptions = {}): Promise<DiscordRig> {
  const discord = await startFakeDiscord(options);
  const mistral = await startFakeMistral({
    apiKey: MISTRAL_KEY,
    agents: [
      { id: AGENT, name: 'Main Agent' },
      { id: OTHER_AGENT, name: 'Other Agent' },
    ],
  });
  const result = loadConfig({
    MISTRAL_API_KEY: MISTRAL_KEY,
    MISTRAL_AGENT_ID: AGENT,
    MISTRAL_SERVER_URL: mistral.url,
    AGENTS: `other=${OTHER_AGENT}`,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.restUrl,
    AGENT_RETRY_BUDGET_MS: '0',
  });
  if (!result.ok || result.config.discord === undefined)
    throw new Error(`bad test config: ${JSON.stringify(result)}`);
  let logText = '';
  const logger = createLogger({
    level: 'debug',
    secrets: [MISTRAL_KEY, discord.token],
    destination: {
      write: (line: string) => {
        logText += line;
      },
    },
  });
  const store = createMemoryConversationStore({ limits: result.config.history });
  const core = createCore(result.config, logger, { store, metrics: createPrometheusMetrics() });
  const adapter = createDiscordAdapter(result.config.discord, {
    dispatcher: core.dispatcher,
    commands: core.commands,
    store: core.store,
    roster: result.config.roster,
    logger,
  });
  await adapter.start();
  return {
    discord,
    mistral,
    core,
    adapter,
    logs: () => logText,
    async close() {
      await adapter.stop();
      await core.close(1_000);
      await discord.close();
      await mistral.close();
    },
  };
}
