import {
  createDiscordAdapter,
  type DiscordAdapter,
} from '../../../adapters/discord/discord-adapter.js';
import type { Core } from '../../../src/app.js';
import { createDirectInbox, createPortRegistry } from '../../../src/core/replies.js';
import { stagePlaysThrough } from '../../../src/roleplay/port-stage.js';
import {
  type FakeDiscord,
  type FakeDiscordOptions,
  startFakeDiscord,
} from '../../fakes/discord/index.js';
import type { FakeMistral } from '../../fakes/mistral/fake-mistral.js';
import {
  capturingLogger,
  roleplaySetup,
  type SharedStores,
  startRigMistral,
  testConfig,
  testCore,
} from '../../support/rig-parts.js';

/** Parley with its Discord adapter, wired to a fake Discord and a fake Mistral. */
export interface DiscordRig {
  readonly discord: FakeDiscord;
  readonly mistral: FakeMistral;
  readonly core: Core;
  readonly adapter: DiscordAdapter;
  readonly agent: string;
  readonly otherAgent: string;
  readonly mistralKey: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logs: () => string;
  close(): Promise<void>;
}

export async function startDiscordRig(
  options: FakeDiscordOptions = {},
  shared: SharedStores = {},
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<DiscordRig> {
  const discord = await startFakeDiscord(options);
  const { mistral, env: mistralEnv, agent, otherAgent } = await startRigMistral('discord');
  const env = {
    ...mistralEnv,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.restUrl,
    ...extraEnv,
  };
  const config = testConfig(env);
  const mistralKey = config.mistral.apiKey;
  const { logger, logs } = capturingLogger([mistralKey, discord.token]);
  const core = testCore(config, logger, shared);
  if (config.discord === undefined) throw new Error('test config has no discord');
  const registry = createPortRegistry();
  const adapter = createDiscordAdapter(config.discord, {
    inbox: createDirectInbox(core.dispatcher, registry.find),
    commands: core.commands,
    store: core.store,
    access: core.access,
    roster: config.roster,
    logger,
    roleplay: roleplaySetup(core),
  });
  registry.add(adapter.port);
  stagePlaysThrough(core.roleplay, adapter.port);
  await adapter.start();
  return {
    discord,
    mistral,
    core,
    adapter,
    agent,
    otherAgent,
    mistralKey,
    env,
    logs,
    async close() {
      await adapter.stop();
      await core.close(1_000);
      await discord.close();
      await mistral.close();
    },
  };
}
