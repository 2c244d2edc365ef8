import { PermissionFlagsBits } from 'discord.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliveryClaim } from '../../../src/core/dispatcher.js';
import { DEFAULT_IDS, type FakeGuildInput } from '../../fakes/discord/index.js';
import { refusalsOf } from '../../support/access.js';
import { redisStores } from '../../support/redis-stores.js';
import { type DiscordRig, startDiscordRig } from './discord-harness.js';

const GUILD: string = DEFAULT_IDS.guild;
const GENERAL: string = DEFAULT_IDS.general;
const RANDOM = '1100000000000000210';
const LOUNGE = '1100000000000000220';
const CATEGORY = '1100000000000000290';
const ALICE: string = DEFAULT_IDS.alice;
const BOB = '1100000000000000400';
const CAROL = '1100000000000000410';
const MODS = '1100000000000000900';
const TALKERS = '1100000000000000910';
const OTHER_GUILD = '1100000000000000150';
const THIRD_GUILD = '1100000000000000160';

const home: FakeGuildInput = {
  id: GUILD,
  name: 'Parley Test',
  channels: [
    { id: GENERAL, name: 'general' },
    { id: RANDOM, name: 'random' },
    { id: LOUNGE, name: 'lounge', parentId: CATEGORY },
  ],
  // Alice owns the server; Carol manages channels; Bob may talk (ALLOWED_ROLES tests).
  members: [
    { id: ALICE, username: 'alice', globalName: 'Alice' },
    { id: BOB, username: 'bob', globalName: 'Bob', roleIds: [TALKERS] },
    { id: CAROL, username: 'carol', globalName: 'Carol', roleIds: [MODS] },
  ],
  roles: [
    { id: MODS, name: 'mods', permissions: String(PermissionFlagsBits.ManageChannels) },
    { id: TALKERS, name: 'talkers', permissions: '0' },
  ],
};
const elsewhere: FakeGuildInput = {
  id: OTHER_GUILD,
  name: 'Elsewhere',
  channels: [{ id: '1100000000000000250', name: 'general' }],
  members: [{ id: '1100000000000000450', username: 'dora' }],
};
let rig: DiscordRig;

/** A Parley with these access settings on the test Redis, each line answered `echo: <text>`. */
async function start(env: Record<string, string>, guilds = [home]): Promise<DiscordRig> {
  rig = await startDiscordRig({ guilds }, redisStores(), env);
  rig.mistral.setResponder((request) => ({
    kind: 'reply',
    text: `echo ${request.messages.length}`,
  }));
  return rig;
}
afterEach(() => rig.close());

function mention(content: string, authorId = ALICE, channelId = GENERAL) {
  return rig.discord.sendMessage({ channelId, authorId, content, mentionsBot: true });
}

function botMessages(channelId: string) {
  return rig.discord
    .messages(channelId)
    .filter((message) => message.author.id === rig.discord.botUserId);
}

/** A mention in #random, answered: every message sent before it has been handled. */
async function settle(authorId = BOB): Promise<void> {
  const marker = mention('marker', authorId, RANDOM);
  await rig.discord.waitFor(() => botMessages(marker.id).length > 0 || undefined);
}

const refusals = (): Promise<string> => refusalsOf(rig.core);

async function registered(): Promise<void> {
  const { registerDiscordCommands } = await import(
    '../../../adapters/discord/register-commands.js'
  );
  await registerDiscordCommands({ ...rig.env, DISCORD_GUILD_ID: GUILD });
}

/** Someone types `/parley <subcommand>`; resolves with Parley's response. */
async function parley(
  subcommand: string,
  options: Record<string, string>,
  userId: string,
  channelId = GENERAL,
) {
  const interaction = rig.discord.sendInteraction({
    name: 'parley',
    subcommand,
    options,
    channelId,
    userId,
  });
  return rig.discord.waitFor(() =>
    rig.discord.interactionResponses.find((entry) => entry.interactionId === interaction.id),
  );
}

/** The agent the next mention in #general is answered by. */
async function agentAnswering(): Promise<string | undefined> {
  const before = rig.mistral.completions.length;
  const question = mention('who answers?', BOB);
  await rig.discord.waitFor(() => botMessages(question.id).length > 0 || undefined);
  return rig.mistral.completions.slice(before).at(-1)?.agentId;
}

describe('Discord access: who may talk to agents, where', () => {
  it('answers nothing in a channel that is not allowed: no thread, no agent, no state, logged', async () => {
    await start({ ALLOWED_CHANNELS: RANDOM });

    const refused = mention('are you there?');
    await settle();

    expect(rig.mistral.completions).toHaveLength(1);
    expect(rig.discord.channel(refused.id)).toBeUndefined();
    expect(botMessages(GENERAL)).toEqual([]);
    expect(await rig.core.store.isClaimed(deliveryClaim(`discord:${refused.id}`))).toBe(false);
    expect(rig.logs()).toContain('"msg":"message refused"');
    expect(rig.logs()).toContain('"reason":"channel"');
    expect(await refusals()).toBe('parley_refused_total{reason="channel"} 1');
  });

  it('counts a channel in a listed category as listed', async () => {
    await start({ ALLOWED_CHANNELS: CATEGORY });

    const question = mention('in the lounge', ALICE, LOUNGE);
    await rig.discord.waitFor(() => botMessages(question.id).length > 0 || undefined);

    expect(rig.mistral.completions).toHaveLength(1);
  });

  it('answers members of ALLOWED_ROLES and nobody else', async () => {
    await start({ ALLOWED_ROLES: TALKERS });

    const refused = mention('may I?', CAROL);
    await settle(BOB);

    expect(rig.mistral.completions).toHaveLength(1);
    expect(rig.discord.channel(refused.id)).toBeUndefined();
    expect(await refusals()).toBe('parley_refused_total{reason="user"} 1');
  });

  it('takes no DM with ALLOW_DMS=false', async () => {
    await start({ ALLOW_DMS: 'false' });

    const dm = rig.discord.sendDm({ userId: ALICE, content: 'psst' });
    await settle();

    expect(rig.mistral.completions).toHaveLength(1);
    expect(botMessages(dm.channelId)).toEqual([]);
    expect(await rig.core.store.isClaimed(deliveryClaim(`discord:${dm.id}`))).toBe(false);
  });

  it('answers a slash command privately where Parley is not enabled', async () => {
    await start({ ALLOWED_CHANNELS: RANDOM });
    await registered();

    const response = await parley('help', {}, ALICE);

    expect(response.data?.flags).toBe(64);
    expect(String(response.data?.content)).toContain('not enabled in this channel');
  });
});

describe('Discord access: the servers Parley serves', () => {
  it('leaves an unlisted server at start, and one that adds it later, and logs it', async () => {
    await start({ ALLOWED_WORKSPACES: GUILD }, [home, elsewhere]);
    await rig.discord.waitFor(() => rig.discord.guildsLeft.length === 1 || undefined);

    rig.discord.joinGuild({ ...elsewhere, id: THIRD_GUILD, channels: [] });
    await rig.discord.waitFor(() => rig.discord.guildsLeft.length === 2 || undefined);
    const question = mention('still here?');
    await rig.discord.waitFor(() => botMessages(question.id).length > 0 || undefined);

    expect(rig.discord.guildsLeft).toEqual([OTHER_GUILD, THIRD_GUILD]);
    expect(rig.discord.guild(GUILD)).toBeDefined();
    expect(rig.logs()).toContain('left a server not in ALLOWED_WORKSPACES');
  });
});

describe('Discord access: settings are for admins', () => {
  it('registers /parley for members who manage channels by default', async () => {
    await start({});

    await registered();

    const parleyCommand = rig.discord.registeredCommands.guilds[GUILD]?.find(
      (command) => command.name === 'parley',
    );
    const roleplay = rig.discord.registeredCommands.guilds[GUILD]?.find(
      (command) => command.name === 'roleplay',
    );
    expect(parleyCommand?.raw.default_member_permissions).toBe(
      String(PermissionFlagsBits.ManageChannels),
    );
    expect(roleplay?.raw.default_member_permissions ?? null).toBeNull();
  });

  it('refuses a member the channel agent, saying who may; Manage Channels and ADMIN_USERS may', async () => {
    await start({ ADMIN_USERS: BOB });
    await registered();

    const byDora = await parley('agent', { name: 'other' }, '1100000000000000420');
    const unchanged = await agentAnswering();
    const byCarol = await parley('agent', { name: 'other' }, CAROL);
    const changed = await agentAnswering();
    const byBob = await parley('agent', { name: 'main' }, BOB);

    expect(byDora.data?.flags).toBe(64);
    expect(String(byDora.data?.content)).toContain(
      'Only members with Manage Server or Manage Channels',
    );
    expect(unchanged).toBe(rig.agent);
    expect(String(byCarol.data?.content)).toContain('This channel now talks to');
    expect(changed).toBe(rig.otherAgent);
    expect(String(byBob.data?.content)).toContain('This channel now talks to');
    expect(await refusals()).toBe('parley_refused_total{reason="not_admin"} 1');
  });
});

describe('Discord access: USER_RATE_LIMIT', () => {
  it('refuses the third message under 2/h with one notice and no agent call, while others are answered', async () => {
    await start({ USER_RATE_LIMIT: '2/h' });
    for (const text of ['one', 'two']) {
      const asked = mention(text);
      await rig.discord.waitFor(() => botMessages(asked.id).length > 0 || undefined);
    }

    const third = mention('three');
    const notices = () =>
      botMessages(GENERAL).filter((message) => message.messageReference !== null);
    await rig.discord.waitFor(() => notices().length > 0 || undefined);
    const fourth = mention('four');
    await settle(BOB);

    expect(rig.mistral.completions).toHaveLength(3);
    expect(
      notices().map((notice) => [notice.messageReference?.message_id, notice.content]),
    ).toEqual([
      [
        third.id,
        expect.stringMatching(/limit of 2 agent requests per hour.*ask again in (59|60) minutes/),
      ],
    ]);
    expect(notices()[0]?.pings).toEqual({ everyone: false, users: [], roles: [] });
    expect([rig.discord.channel(third.id), rig.discord.channel(fourth.id)]).toEqual([
      undefined,
      undefined,
    ]);
    expect(await rig.core.store.isClaimed(deliveryClaim(`discord:${third.id}`))).toBe(false);
    expect(await refusals()).toBe('parley_refused_total{reason="rate_limit"} 2');
  });
});

describe('Discord access: role-plays per person', () => {
  it('refuses a play past ROLEPLAY_MAX_PER_USER with the count, before announcing it', async () => {
    await start({ ROLEPLAY_MAX_PER_USER: '1' });
    await registered();
    rig.mistral.enqueue({ kind: 'hang' });
    const play = (topic: string) =>
      rig.discord.sendInteraction({
        name: 'roleplay',
        subcommand: 'start',
        options: { first: 'main', second: 'other', topic },
        channelId: GENERAL,
        userId: ALICE,
      });
    play('tea');
    await vi.waitFor(() => expect(rig.mistral.completions).toHaveLength(1));

    const second = play('coffee');
    const refusal = await rig.discord.waitFor(() =>
      rig.discord.interactionResponses.find((entry) => entry.interactionId === second.id),
    );

    expect(refusal.data?.flags).toBe(64);
    expect(String(refusal.data?.content)).toContain(
      'You already have 1 role-play running, the most one person may run at once (1)',
    );
    expect(rig.discord.threadsCreated).toHaveLength(1);
    expect(await refusals()).toBe('parley_refused_total{reason="roleplay_limit"} 1');
  });
});
