import { REST, Routes } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_IDS, NO_PINGS, type RestCall } from '../../fakes/discord/index.js';
import { type DiscordRig, startDiscordRig } from './discord-harness.js';

const GUILD = DEFAULT_IDS.guild;
const GENERAL = DEFAULT_IDS.general;
const ALICE = DEFAULT_IDS.alice;
const ROLE = '1100000000000000456';
const guilds = [
  {
    id: GUILD,
    name: 'Parley Test',
    channels: [{ id: GENERAL, name: 'general' }],
    members: [{ id: ALICE, username: 'alice', globalName: 'Alice' }],
  },
];
// Every kind of Discord ping an agent's answer could carry.
const PINGS = `Listen up @everyone and @here: <@${ALICE}>, <@!${ALICE}> and <@&${ROLE}>.`;
// Message creates and edits, as a bot and through a webhook.
const MESSAGE_ROUTE =
  /^(POST|PATCH) \/(channels|webhooks)\/.*\/messages(\/\{message_id\})?$|^POST \/webhooks\/[^/]+\/[^/]+$/;
let rig: DiscordRig;

beforeEach(async () => {
  rig = await startDiscordRig({ guilds });
});
afterEach(() => rig.close());

function messageCalls(): RestCall[] {
  return rig.discord.restCalls.filter((call) => MESSAGE_ROUTE.test(call.route ?? ''));
}

function botLines(channelId: string) {
  return rig.discord
    .messages(channelId)
    .filter((message) => message.author.id === rig.discord.botUserId);
}

describe('Discord answers that try to ping', () => {
  it('counts the pings a message would make without allowed_mentions', async () => {
    const rest = new REST({ version: '10', api: rig.discord.restUrl }).setToken(rig.discord.token);

    const raw = (await rest.post(Routes.channelMessages(GENERAL), {
      body: { content: PINGS },
    })) as { id: string };
    const muted = (await rest.post(Routes.channelMessages(GENERAL), {
      body: { content: PINGS, allowed_mentions: { parse: [] } },
    })) as { id: string };

    expect(rig.discord.message(raw.id)?.pings).toEqual({
      everyone: true,
      users: [ALICE],
      roles: [ROLE],
    });
    expect(rig.discord.message(muted.id)?.pings).toEqual(NO_PINGS);
  });

  it('posts and edits an answer full of pings with allowed_mentions parse [], notifying nobody', async () => {
    rig.mistral.enqueue({ kind: 'reply', text: PINGS, chunkSize: 3 });

    const question = rig.discord.sendMessage({
      channelId: GENERAL,
      authorId: ALICE,
      content: 'ping them all',
      mentionsBot: true,
    });
    await rig.discord.waitFor(() => botLines(question.id).some((line) => line.content === PINGS));

    expect(botLines(question.id).map((line) => line.pings)).toEqual([NO_PINGS]);
    expect(messageCalls().length).toBeGreaterThanOrEqual(1);
    for (const call of messageCalls())
      expect(call.body).toMatchObject({ allowed_mentions: { parse: [] } });
  });

  it('posts persona lines and notices full of pings through the webhook, notifying nobody', async () => {
    const question = rig.discord.sendMessage({
      channelId: GENERAL,
      authorId: ALICE,
      content: 'set the stage',
      mentionsBot: true,
    });
    await rig.discord.waitFor(() => botLines(question.id).length > 0 || undefined);
    const sink = rig.adapter.personaSink(question.id, { name: 'Socrates' });

    await sink.start();
    await sink.append(PINGS);
    await sink.finish();
    await rig.adapter.port.say(rig.adapter.port.targetFor(threadOf(question.id)), PINGS);

    const lines = rig.discord.messages(question.id).filter((line) => line.content === PINGS);
    expect(lines.map((line) => line.persona?.username ?? 'bot')).toEqual(['Socrates', 'bot']);
    expect(lines.map((line) => line.pings)).toEqual([NO_PINGS, NO_PINGS]);
    expect(messageCalls().some((call) => call.route?.startsWith('POST /webhooks/'))).toBe(true);
    for (const call of messageCalls())
      expect(call.body).toMatchObject({ allowed_mentions: { parse: [] } });
  });
});

function threadOf(threadId: string) {
  return { platform: 'discord' as const, workspace: GUILD, channel: GENERAL, thread: threadId };
}
