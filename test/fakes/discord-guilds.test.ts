import { once } from 'node:events';
import {
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  PermissionFlagsBits,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_IDS, type FakeDiscord, startFakeDiscord } from './discord/index.js';

const OTHER_GUILD = '1100000000000000700';
const MODS = '1100000000000000800';
const BOB = '1100000000000000301';
let fake: FakeDiscord;
let client: Client<true>;

async function connect(): Promise<void> {
  fake = await startFakeDiscord({
    guilds: [
      {
        id: DEFAULT_IDS.guild,
        channels: [{ id: DEFAULT_IDS.general, name: 'general' }],
        members: [
          { id: DEFAULT_IDS.alice, username: 'alice' },
          { id: BOB, username: 'bob', roleIds: [MODS] },
        ],
        roles: [
          { id: MODS, name: 'mods', permissions: String(PermissionFlagsBits.ManageChannels) },
        ],
      },
    ],
  });
  const created = new Client({ intents: [GatewayIntentBits.Guilds], ...fake.clientOptions() });
  const ready = once(created, Events.ClientReady);
  await created.login(fake.token);
  await ready;
  client = created as Client<true>;
}
afterEach(async () => {
  await client.destroy();
  await fake.close();
});

describe('fake Discord: servers joined and left', () => {
  it('tells a connected client of a server it was added to (GUILD_CREATE)', async () => {
    await connect();
    const joined = once(client, Events.GuildCreate);

    fake.joinGuild({
      id: OTHER_GUILD,
      name: 'Elsewhere',
      channels: [{ id: '1100000000000000710', name: 'x' }],
    });
    const [guild] = await joined;

    expect(guild.id).toBe(OTHER_GUILD);
    expect(client.guilds.cache.has(OTHER_GUILD)).toBe(true);
  });

  it('lets the bot leave a server (204, then GUILD_DELETE); a second leave is Unknown Guild', async () => {
    await connect();
    const gone = once(client, Events.GuildDelete);

    await client.guilds.cache.get(DEFAULT_IDS.guild)?.leave();
    await gone;

    expect(fake.guildsLeft).toEqual([DEFAULT_IDS.guild]);
    expect(fake.restCalls.at(-1)).toMatchObject({ method: 'DELETE', status: 204 });
    expect(client.guilds.cache.has(DEFAULT_IDS.guild)).toBe(false);
    expect(fake.guild(DEFAULT_IDS.guild)).toBeUndefined();
    await expect(
      client.rest.delete(`/users/@me/guilds/${DEFAULT_IDS.guild}`),
    ).rejects.toMatchObject({
      code: 10004,
    });
  });
});

describe('fake Discord: interaction member permissions', () => {
  async function permissionsOf(userId: string) {
    await client.application.commands.set([{ name: 'ping', description: 'ping' }]);
    const seen = new Promise<Interaction>((resolve) =>
      client.once(Events.InteractionCreate, resolve),
    );
    fake.sendInteraction({ name: 'ping', channelId: DEFAULT_IDS.general, userId });
    return (await seen).memberPermissions;
  }

  it('gives the owner every permission, a member what their roles grant', async () => {
    await connect();

    const owner = await permissionsOf(DEFAULT_IDS.alice);
    const moderator = await permissionsOf(BOB);
    const stranger = await permissionsOf('1100000000000000302');

    expect(owner?.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(moderator?.has(PermissionFlagsBits.ManageChannels)).toBe(true);
    expect(moderator?.has(PermissionFlagsBits.ManageGuild)).toBe(false);
    expect(stranger?.has(PermissionFlagsBits.ManageChannels)).toBe(false);
    expect(stranger?.has(PermissionFlagsBits.SendMessages)).toBe(true);
  });
});
