import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord/index.js';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { type ParleyProcess, startParleyProcess } from '../support/parley-process.js';

/**
 * `npm start` with Discord only and the Message Content intent off: Parley answers mentions,
 * so a liveness probe must not restart it, while the body says what to turn on.
 */
const AGENT = 'ag:health:main';
let discord: FakeDiscord;
let mistral: FakeMistral;
let parley: ParleyProcess | undefined;

beforeAll(async () => {
  discord = await startFakeDiscord({ messageContentIntentEnabled: false });
  mistral = await startFakeMistral({ apiKey: 'health-key', agents: [{ id: AGENT, name: 'Main' }] });
});
afterAll(async () => {
  await parley?.kill();
  await discord.close();
  await mistral.close();
});

describe('health probes of a running Parley', () => {
  it('are 200 while Discord runs degraded, with the detail in the body', {
    timeout: 30_000,
  }, async () => {
    // Resolves once /healthz answers 200; it never did while Discord was degraded.
    parley = await startParleyProcess({
      MISTRAL_API_KEY: 'health-key',
      MISTRAL_AGENT_ID: AGENT,
      MISTRAL_SERVER_URL: mistral.url,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.restUrl,
      LOG_LEVEL: 'warn',
    });
    await discord.connected();

    const [health, ready] = await Promise.all([
      fetch(`${parley.baseUrl}/healthz`),
      fetch(`${parley.baseUrl}/readyz`),
    ]);

    expect([health.status, ready.status]).toEqual([200, 200]);
    expect(await health.json()).toMatchObject({
      ok: true,
      store: 'up',
      platforms: {
        discord: { state: 'degraded', detail: expect.stringContaining('Message Content') },
      },
    });
  });
});
