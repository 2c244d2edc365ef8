import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDiscordCommands } from '../../adapters/discord/register-commands.js';
import { resolveAgent } from '../../src/config/roster.js';
import { roleplayFromOptions } from '../../src/roleplay/roleplay-command.js';
import { type DiscordRig, startDiscordRig } from '../adapters/discord/discord-harness.js';
import { DEFAULT_IDS, type FakeMessage } from '../fakes/discord/index.js';
import type { OptionValue } from '../fakes/discord/interactions.js';
import type { FakeState } from '../fakes/discord/state.js';
import { expectClearText, strayWrites } from './fuzz-assert.js';
import { type RecordingStores, recordingStores } from './recording-stores.js';
import { createRandom, FUZZ_SEED, type Random, reportCount } from './seeded-random.js';

const GUILD = DEFAULT_IDS.guild;
const GENERAL = DEFAULT_IDS.general;
const ALICE = DEFAULT_IDS.alice;
const OTHER_BOT = '1100000000000000500';
const HUMAN_THREAD = '1100000000000000600';
const PRIVATE_THREAD = '1100000000000000700';
const USER_MENTION = /<@!?(\d{15,21})>/g;
const ANSWER_WAIT_MS = 15_000;
const guilds = [
  {
    id: GUILD,
    name: 'Parley Test',
    channels: [
      { id: GENERAL, name: 'general' },
      { id: HUMAN_THREAD, name: 'planning', type: 11 as const, parentId: GENERAL },
      { id: PRIVATE_THREAD, name: 'secret', type: 12 as const, parentId: GENERAL },
    ],
    members: [
      { id: ALICE, username: 'alice', globalName: 'Alice' },
      { id: OTHER_BOT, username: 'otherbot', bot: true },
    ],
  },
];

let rig: DiscordRig;
let stores: RecordingStores;
let secrets: string[];
let probes = 0;
// Conversations Parley legitimately answered: their history is written after the reply shows.
const answered: string[] = [];

beforeAll(async () => {
  stores = recordingStores();
  rig = await startDiscordRig({ guilds }, { store: stores.store, plays: stores.plays });
  secrets = [rig.mistralKey, rig.discord.token];
  await registerDiscordCommands({ ...rig.env, DISCORD_GUILD_ID: GUILD });
});
afterAll(() => rig.close());

function botSaid(channelId: string, text: string): boolean {
  return rig.discord
    .messages(channelId)
    .some(
      (message) => message.author.id === rig.discord.botUserId && message.content.includes(text),
    );
}

/** A DM is still answered: Parley's gateway session and dispatcher survived. */
async function expectStillAnswers(): Promise<void> {
  probes += 1;
  const marker = `probe${probes}.`;
  const dm = rig.discord.sendDm({ userId: ALICE, content: `still there? ${marker}` });
  answered.push(dm.channelId, dm.id);
  await rig.discord.waitFor(() => botSaid(dm.channelId, marker), ANSWER_WAIT_MS);
}

/** Runs `act`, then proves it wrote nothing and asked the agent nothing, and a DM is still answered. */
async function expectNoChange(act: () => Promise<void>): Promise<void> {
  const writesBefore = stores.writes.length;
  const completionsBefore = rig.mistral.completions.length;

  await act();
  await expectStillAnswers();

  expect(strayWrites(stores.writes, writesBefore, answered)).toEqual([]);
  expect(rig.mistral.completions.length).toBe(completionsBefore + 1);
  expect(rig.logs()).not.toContain(rig.mistralKey);
}

/**
 * MESSAGE_CREATE for content past the 2,000 characters the fake's REST limit allows (Nitro
 * members may send 4,000): stored and dispatched directly, as Discord's gateway would.
 */
function injectMessage(channelId: string, authorId: string, content: string): FakeMessage {
  const state = (rig.discord as unknown as { readonly state: FakeState }).state;
  const channel = state.channels.get(channelId);
  const mentionIds = [
    ...new Set([...content.matchAll(USER_MENTION)].map((match) => match[1] ?? '')),
  ];
  return state.addMessage({
    id: state.nextId(),
    channelId,
    guildId: channel?.guildId ?? null,
    type: 0,
    author: state.user(authorId),
    content,
    embeds: [],
    components: [],
    attachments: [],
    flags: 0,
    mentionIds,
    mentionRoleIds: [],
    messageReference: null,
    persona: null,
    interactionId: null,
    threadId: null,
    createdAt: state.now(),
    editedAt: null,
    edits: [],
    deleted: false,
  });
}

function storm(random: Random, count: number): string {
  return Array.from({ length: count }, () => `<@${random.int(10 ** 17, 10 ** 18 - 1)}>`).join(' ');
}

function oddContent(random: Random): string {
  const content = random.pick([
    () => random.text(12),
    () => storm(random, 90),
    () => `${'\u0000\u0007\u001b[2J\ud800'.repeat(100)}${random.text()}`,
    () => `<@999999999999999999> ${random.text()}`,
    () => `<@&${GUILD}> <#${GENERAL}> @everyone @here ${random.text()}`,
    () => 'x'.repeat(2_000),
  ])();
  return content.slice(0, 2_000) || '.';
}

describe('Discord messages Parley must ignore', () => {
  it('ignores odd messages in channels and threads it is not part of, and from other bots', async () => {
    const random = createRandom(FUZZ_SEED + 1100);
    const places = [
      { channelId: GENERAL, authorId: ALICE },
      { channelId: HUMAN_THREAD, authorId: ALICE },
      { channelId: PRIVATE_THREAD, authorId: '1100000000000000999' },
      { channelId: GENERAL, authorId: OTHER_BOT, mention: `<@${rig.discord.botUserId}> ` },
    ];
    const sends = Array.from({ length: 150 }, () => {
      const { channelId, authorId, mention = '' } = random.pick(places);
      return { channelId, authorId, content: `${mention}${oddContent(random)}` };
    });
    const huge = Array.from({ length: 10 }, (_, i) => ({
      channelId: i % 2 === 0 ? GENERAL : HUMAN_THREAD,
      content: i < 5 ? 'y'.repeat(4_000) : storm(random, 1_000),
    }));
    reportCount('discord ignored messages', sends.length + huge.length, FUZZ_SEED + 1100);

    await expectNoChange(async () => {
      for (const send of sends) injectMessage(send.channelId, send.authorId, send.content);
      for (const { channelId, content } of huge) injectMessage(channelId, ALICE, content);
    });
    for (const place of [GENERAL, HUMAN_THREAD, PRIVATE_THREAD]) {
      const thread = {
        platform: 'discord' as const,
        workspace: GUILD,
        channel: GENERAL,
        thread: place,
      };
      expect(await rig.core.store.historyLength(thread)).toBe(0);
    }
    expect(rig.discord.threadsCreated).toEqual([]);
  });

  it('answers hard messages people can send: 4,000 characters, control characters, mention storms', async () => {
    const random = createRandom(FUZZ_SEED + 1200);
    const bot = `<@${rig.discord.botUserId}>`;
    const contents = [
      `${bot} ${'z'.repeat(3_990)}`,
      `${bot} ${storm(random, 180)}`,
      `${bot} ${'\u0000\u0007\ud800\u202e'.repeat(50)} ${random.text()}`,
    ];
    reportCount('discord hard but answerable messages', contents.length, FUZZ_SEED + 1200);

    for (const content of contents) {
      const message = injectMessage(GENERAL, ALICE, content);
      answered.push(message.id);
      await rig.discord.waitFor(() => botSaid(message.id, 'echo:'), ANSWER_WAIT_MS);

      const thread = rig.discord.channel(message.id);
      expect(thread?.name?.length ?? 0).toBeGreaterThan(0);
      expect(thread?.name ?? '').not.toMatch(/\p{Cc}/u);
    }
  });
});

describe('Discord interactions with bad options', () => {
  function command(name: string, subcommand: string, options: Record<string, OptionValue>) {
    return rig.discord.sendInteraction({
      name,
      subcommand,
      options,
      channelId: GENERAL,
      userId: ALICE,
    });
  }

  async function answersOf(ids: readonly string[]): Promise<string[]> {
    const answerOf = (id: string) =>
      rig.discord.interactionResponses.find((response) => response.interactionId === id);
    await rig.discord.waitFor(() => ids.every((id) => answerOf(id) !== undefined), ANSWER_WAIT_MS);
    return ids.map((id) => String(answerOf(id)?.data?.content ?? ''));
  }

  it('refuses /roleplay start and /parley agent with garbage privately, creating nothing', async () => {
    const random = createRandom(FUZZ_SEED + 1300);
    const { roster, roleplay: limits } = rig.core.config;
    const agentName = () =>
      random.pick(['main', 'other', 'nobody', '', random.text(2), 'n'.repeat(300)]);
    let valid = 0;
    const inputs: { name: string; subcommand: string; options: Record<string, OptionValue> }[] = [];
    while (inputs.length < 90) {
      const turns = random.pick([0, -1, 10_000, 99_999, 2 ** 31 - 1, 6, 21]);
      const options = {
        first: agentName(),
        second: agentName(),
        topic: random.pick([random.text(), 't'.repeat(10_000), '', ' ']),
        turns,
      };
      if (roleplayFromOptions(options, roster, limits).kind === 'start') {
        valid += 1;
        continue;
      }
      inputs.push({ name: 'roleplay', subcommand: 'start', options });
    }
    while (inputs.length < 150) {
      const name = random.pick([random.text(3), 'x'.repeat(5_000), 'nobody', '\u0000', '']);
      if (resolveAgent(roster, name)) {
        valid += 1;
        continue;
      }
      inputs.push({ name: 'parley', subcommand: 'agent', options: { name } });
    }
    for (let i = 0; i < 5; i++) {
      inputs.push({
        name: 'roleplay',
        subcommand: 'start',
        options: { first: 'main', second: 'other', topic: 'tea', turns: Number.NaN },
      });
      inputs.push({ name: 'roleplay', subcommand: 'stop', options: {} });
    }
    reportCount(
      `discord bad interactions (${valid} valid left out)`,
      inputs.length,
      FUZZ_SEED + 1300,
    );
    const threadsBefore = rig.discord.threadsCreated.length;

    await expectNoChange(async () => {
      const sent = inputs.map((input) => command(input.name, input.subcommand, input.options));
      const answers = await answersOf(sent.map((interaction) => interaction.id));

      for (const answer of answers) expectClearText(answer, secrets);
    });
    expect(rig.discord.threadsCreated).toHaveLength(threadsBefore);
  });

  it('refuses /roleplay start with turns 0 or 10,000 with the range', async () => {
    const sent = [0, 10_000].map((turns) =>
      command('roleplay', 'start', {
        first: 'main',
        second: 'other',
        topic: 'tea or coffee',
        turns,
      }),
    );
    reportCount('discord out-of-range turns', sent.length);

    const answers = await answersOf(sent.map((interaction) => interaction.id));

    for (const answer of answers) expect(answer).toContain('Turns must be between 1 and 20');
  });
});
