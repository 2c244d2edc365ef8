import { once } from 'node:events';
import { createInflate, constants as zlib } from 'node:zlib';
import {
  ChannelType,
  Client,
  type ClientEvents,
  type ClientOptions,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Message,
  Partials,
  type RateLimitData,
  RESTEvents,
  Routes,
  type TextChannel,
} from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  DEFAULT_IDS,
  type FakeDiscord,
  type FakeDiscordOptions,
  startFakeDiscord,
} from './discord/index.js';

const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];

const opened: { fakes: FakeDiscord[]; clients: Client[] } = { fakes: [], clients: [] };

async function startFake(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const fake = await startFakeDiscord(options);
  opened.fakes.push(fake);
  return fake;
}

function newClient(fake: FakeDiscord, extra: Partial<ClientOptions> = {}): Client {
  const client = new Client({
    intents: INTENTS,
    partials: [Partials.Channel],
    ...fake.clientOptions(),
    ...extra,
  });
  opened.clients.push(client);
  return client;
}

async function readyClient(
  fake: FakeDiscord,
  extra: Partial<ClientOptions> = {},
): Promise<Client<true>> {
  const client = newClient(fake, extra);
  const ready = once(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  return client as Client<true>;
}

/** The next `event` whose arguments pass `accept`. */
function nextEvent<E extends keyof ClientEvents>(
  client: Client,
  event: E,
  accept: (...args: ClientEvents[E]) => boolean = () => true,
): Promise<ClientEvents[E]> {
  return new Promise((resolve) => {
    const listener = (...args: ClientEvents[E]) => {
      if (!accept(...args)) return;
      client.off(event, listener);
      resolve(args);
    };
    client.on(event, listener);
  });
}

async function closeAll(): Promise<void> {
  for (const client of opened.clients.splice(0)) await client.destroy();
  for (const fake of opened.fakes.splice(0)) await fake.close();
}

describe('fake Discord with the real discord.js Client', () => {
  let fake: FakeDiscord;
  let client: Client<true>;
  let general: TextChannel;

  beforeAll(async () => {
    fake = await startFakeDiscord();
    client = await readyClient(fake);
    general = (await client.channels.fetch(DEFAULT_IDS.general)) as TextChannel;
  });

  afterAll(async () => {
    await client.destroy();
    await fake.close();
  });

  it('logs the client in and makes it ready with the guild, channel and members', async () => {
    await fake.connected();

    expect(client.user.id).toBe(fake.botUserId);
    expect(client.application.id).toBe(fake.applicationId);
    expect(client.guilds.cache.get(DEFAULT_IDS.guild)?.name).toBe('Parley Test');
    expect(client.channels.cache.get(DEFAULT_IDS.general)?.type).toBe(ChannelType.GuildText);
    expect(
      client.guilds.cache.get(DEFAULT_IDS.guild)?.members.cache.get(DEFAULT_IDS.alice)?.user
        .username,
    ).toBe('alice');
    expect(fake.gatewayStats.identifies).toBe(1);
  });

  it('delivers MESSAGE_CREATE to messageCreate with content and mentions', async () => {
    const received = nextEvent(
      client,
      Events.MessageCreate,
      (m) => m.author.id === DEFAULT_IDS.alice,
    );

    const sent = fake.sendMessage({
      channelId: DEFAULT_IDS.general,
      authorId: DEFAULT_IDS.alice,
      content: 'hello there',
      mentionsBot: true,
    });
    const [message] = await received;

    expect(message.id).toBe(sent.id);
    expect(message.content).toBe(`<@${fake.botUserId}> hello there`);
    expect(message.mentions.users.has(fake.botUserId)).toBe(true);
    expect(message.guildId).toBe(DEFAULT_IDS.guild);
    expect(message.member?.id).toBe(DEFAULT_IDS.alice);
  });

  it('stores a sent message and echoes it to the gateway as the bot', async () => {
    const echoed = nextEvent(client, Events.MessageCreate, (m) => m.content === 'from the bot');

    const sent = await general.send('from the bot');
    const [echo] = await echoed;

    expect(echo.author.id).toBe(fake.botUserId);
    expect(fake.message(sent.id)?.content).toBe('from the bot');
  });

  it('rejects a message over 2000 characters with 50035 BASE_TYPE_MAX_LENGTH', async () => {
    const error = await general.send('x'.repeat(2_001)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DiscordAPIError);
    expect(error).toMatchObject({ code: 50035, status: 400 });
    expect((error as DiscordAPIError).rawError).toMatchObject({
      errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } },
    });
    await expect(general.send('x'.repeat(2_000))).resolves.toBeDefined();
  });

  it('rejects an empty message with 50006', async () => {
    await expect(
      client.rest.post(Routes.channelMessages(DEFAULT_IDS.general), { body: { content: '  ' } }),
    ).rejects.toMatchObject({
      code: 50006,
    });
  });

  it('starts a thread from a message, with the message id as the thread id', async () => {
    const root = await general.send('root of a thread');

    const thread = await root.startThread({ name: 'Parley conversation' });
    await thread.send('inside the thread');

    expect(thread.id).toBe(root.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    expect(fake.threadsCreated.at(-1)).toMatchObject({
      id: root.id,
      parentId: DEFAULT_IDS.general,
      name: 'Parley conversation',
    });
    expect(fake.messages(thread.id).map((m) => m.content)).toEqual(['inside the thread']);
    await expect(root.startThread({ name: 'again' })).rejects.toMatchObject({ code: 160004 });
    const other = await general.send('another root');
    await expect(other.startThread({ name: 'n'.repeat(101) })).rejects.toMatchObject({
      code: 50035,
    });
  });

  it('refuses to edit a message authored by another user (50005) and records own edits', async () => {
    const received = nextEvent(client, Events.MessageCreate, (m) => m.content === 'not yours');
    fake.sendMessage({
      channelId: DEFAULT_IDS.general,
      authorId: DEFAULT_IDS.alice,
      content: 'not yours',
    });
    const [theirs] = await received;
    const mine = await general.send('draft');

    await expect(theirs.edit('changed')).rejects.toMatchObject({ code: 50005, status: 403 });
    await mine.edit('final');

    expect(fake.message(mine.id)?.edits.map((e) => e.content)).toEqual(['final']);
  });

  it('posts through a webhook under a persona, into a thread', async () => {
    const root = await general.send('play root');
    const thread = await root.startThread({ name: 'Role-play' });
    const webhook = await general.createWebhook({ name: 'Parley roles' });

    await webhook.send({
      content: 'I am Ada.',
      username: 'Ada',
      avatarURL: 'https://example.test/ada.png',
      threadId: thread.id,
    });

    expect(fake.messages(thread.id).at(-1)).toMatchObject({
      content: 'I am Ada.',
      persona: {
        username: 'Ada',
        avatarUrl: 'https://example.test/ada.png',
        webhookId: webhook.id,
      },
    });
  });

  it('answers a slash command once and rejects a second callback with 40060', async () => {
    await client.application.commands.set(
      [{ name: 'parley', description: 'Talk to Parley' }],
      DEFAULT_IDS.guild,
    );
    const received = nextEvent(client, Events.InteractionCreate);

    const sent = fake.sendInteraction({
      name: 'parley',
      channelId: DEFAULT_IDS.general,
      userId: DEFAULT_IDS.alice,
      options: { topic: 'tea' },
    });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.reply('Hello from Parley');
    const second = client.rest.post(Routes.interactionCallback(sent.id, sent.token), {
      body: { type: 4, data: { content: 'again' } },
      auth: false,
    });

    await expect(second).rejects.toMatchObject({ code: 40060, status: 400 });
    expect(interaction.options.getString('topic')).toBe('tea');
    expect(fake.interactionResponses.filter((r) => r.interactionId === sent.id)).toHaveLength(1);
    expect(fake.messages(DEFAULT_IDS.general).at(-1)).toMatchObject({
      content: 'Hello from Parley',
      interactionId: sent.id,
    });
    expect(fake.registeredCommands.guilds[DEFAULT_IDS.guild]?.map((c) => c.name)).toEqual([
      'parley',
    ]);
  });

  it('defers, then fills @original with editReply', async () => {
    const received = nextEvent(client, Events.InteractionCreate);
    fake.sendInteraction({
      name: 'parley',
      channelId: DEFAULT_IDS.general,
      userId: DEFAULT_IDS.alice,
    });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');

    await interaction.deferReply();
    await interaction.editReply('done thinking');
    const followUp = await interaction.followUp('and one more');

    const original = fake
      .messages(DEFAULT_IDS.general)
      .find((m) => m.interactionId === interaction.id && m.content === 'done thinking');
    expect(original?.flags).toBe(0);
    expect(fake.message(followUp.id)?.content).toBe('and one more');
  });

  it('answers 10062 Unknown interaction once the response window has passed', async () => {
    const received = nextEvent(client, Events.InteractionCreate);
    const sent = fake.sendInteraction({
      name: 'parley',
      channelId: DEFAULT_IDS.general,
      userId: DEFAULT_IDS.alice,
    });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');

    fake.expireInteraction(sent.id);

    await expect(interaction.reply('too late')).rejects.toMatchObject({ code: 10062, status: 404 });
  });

  it('rejects invalid command names with 50035', async () => {
    const error = await client.rest
      .put(Routes.applicationCommands(fake.applicationId), {
        body: [{ name: 'Parley', description: 'Upper case' }],
      })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 50035 });
    expect((error as DiscordAPIError).rawError).toMatchObject({
      errors: { '0': { name: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID_NAME' }] } } },
    });
  });

  it('delivers a DM to a client with the Channel partial and takes the reply', async () => {
    const received = nextEvent(client, Events.MessageCreate, (m) => m.content === 'psst');

    const sent = fake.sendDm({ userId: DEFAULT_IDS.alice, content: 'psst' });
    const [message]: [Message] = await received;
    if (!message.channel.isSendable()) throw new Error('expected a sendable DM channel');
    await message.channel.send('hello privately');

    expect(message.channel.type).toBe(ChannelType.DM);
    expect(fake.messages(sent.channelId).map((m) => m.content)).toEqual([
      'psst',
      'hello privately',
    ]);
  });

  it('honours a 429 retry_after through @discordjs/rest and then succeeds', async () => {
    fake.failNext('POST /channels/{channel_id}/messages', { status: 429, retryAfter: 0.05 });
    const limited = once(client.rest, RESTEvents.RateLimited) as Promise<[RateLimitData]>;
    const before = fake.restCalls.length;

    const sent = await general.send('after the limit');
    const [rateLimit] = await limited;

    const calls = fake.restCalls
      .slice(before)
      .filter((c) => c.route === 'POST /channels/{channel_id}/messages');
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(50);
    expect(rateLimit.retryAfter).toBeGreaterThanOrEqual(50);
    expect(fake.message(sent.id)?.content).toBe('after the limit');
  });

  it('reads thread history newest first, paged with before', async () => {
    const root = await general.send('history root');
    const thread = await root.startThread({ name: 'History' });
    for (const text of ['one', 'two', 'three']) await thread.send(text);

    const latest = await thread.messages.fetch({ limit: 2 });
    const older = await thread.messages.fetch({ limit: 2, before: latest.last()?.id ?? '' });

    expect([...latest.values()].map((m) => m.content)).toEqual(['three', 'two']);
    expect([...older.values()].map((m) => m.content)).toEqual(['one']);
  });

  it('answers every REST call with rate-limit headers and 401 without the bot token', async () => {
    const withAuth = await fetch(`${fake.restUrl}/v10/users/@me`, {
      headers: { authorization: `Bot ${fake.token}` },
    });
    const without = await fetch(`${fake.restUrl}/v10/users/@me`);

    expect(withAuth.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
    expect(withAuth.headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(without.status).toBe(401);
    expect(without.headers.get('x-ratelimit-limit')).not.toBeNull();
    expect(await without.json()).toEqual({ message: '401: Unauthorized', code: 0 });
  });
});

describe('fake Discord login failures', () => {
  afterEach(closeAll);

  it('fails login with TokenInvalid for a wrong token', async () => {
    const fake = await startFake();
    const client = newClient(fake);

    await expect(client.login('not-the-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
  });

  it('closes the gateway with 4004 when IDENTIFY carries a wrong token', async () => {
    const fake = await startFake();
    const socket = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json`);
    const [hello] = (await once(socket, 'message')) as [Buffer];

    socket.send(
      JSON.stringify({
        op: 2,
        d: { token: 'wrong', intents: 1, properties: { os: 'linux', browser: 'x', device: 'x' } },
      }),
    );
    const [code] = (await once(socket, 'close')) as [number];

    expect(JSON.parse(String(hello))).toMatchObject({ op: 10, d: { heartbeat_interval: 41_250 } });
    expect(code).toBe(4004);
  });

  it('refuses the MessageContent intent with 4014 when the portal toggle is off', async () => {
    const fake = await startFake({ messageContentIntentEnabled: false });
    const client = newClient(fake);

    await expect(client.login(fake.token)).rejects.toThrow(/disallowed intents/i);
  });

  it('hides message content from a client without MessageContent unless it is mentioned', async () => {
    const fake = await startFake();
    const client = await readyClient(fake, {
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages],
    });

    // Dispatches travel over the socket, so listening right after sending misses nothing.
    const first = fake.sendMessage({
      channelId: DEFAULT_IDS.general,
      authorId: DEFAULT_IDS.alice,
      content: 'secret',
    });
    const second = fake.sendMessage({
      channelId: DEFAULT_IDS.general,
      authorId: DEFAULT_IDS.alice,
      content: 'hi',
      mentionsBot: true,
    });
    const plain = nextEvent(client, Events.MessageCreate, (m) => m.id === first.id);
    const mentioned = nextEvent(client, Events.MessageCreate, (m) => m.id === second.id);

    expect((await plain)[0].content).toBe('');
    expect((await mentioned)[0].content).toContain('hi');
  });

  it('resumes a session after a 4000 close without identifying again', async () => {
    const fake = await startFake();
    const client = await readyClient(fake);
    const resumed = nextEvent(client, Events.ShardResume);

    fake.disconnect(4000);
    await resumed;
    const received = nextEvent(client, Events.MessageCreate, (m) => m.content === 'after resume');
    fake.sendMessage({
      channelId: DEFAULT_IDS.general,
      authorId: DEFAULT_IDS.alice,
      content: 'after resume',
    });

    await received;
    expect(fake.gatewayStats.identifies).toBe(1);
  });

  it('speaks zlib-stream when the client asks for compress=zlib-stream', async () => {
    const fake = await startFake();
    const socket = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json&compress=zlib-stream`);
    const inflate = createInflate({ finishFlush: zlib.Z_SYNC_FLUSH });
    const texts: string[] = [];
    inflate.on('data', (chunk: Buffer) => texts.push(chunk.toString('utf8')));

    const [frame] = (await once(socket, 'message')) as [Buffer];
    inflate.write(frame);
    await new Promise<void>((resolve) => inflate.flush(zlib.Z_SYNC_FLUSH, () => resolve()));
    socket.close(1000);
    inflate.destroy();

    expect([...frame.subarray(-4)]).toEqual([0, 0, 255, 255]);
    expect(JSON.parse(texts.join(''))).toMatchObject({ op: 10 });
  });

  it('limits message creates per channel with headers the client honours (no 429)', async () => {
    const fake = await startFake({ messageRateLimit: { limit: 1, windowMs: 50 } });
    const client = await readyClient(fake);
    const channel = (await client.channels.fetch(DEFAULT_IDS.general)) as TextChannel;

    await Promise.all([channel.send('first'), channel.send('second')]);

    const creates = fake.restCalls.filter(
      (c) => c.route === 'POST /channels/{channel_id}/messages',
    );
    expect(creates.map((c) => c.status)).toEqual([200, 200]);
    expect(
      fake
        .messages(DEFAULT_IDS.general)
        .map((m) => m.content)
        .sort(),
    ).toEqual(['first', 'second']);
  });

  it('acknowledges heartbeats', async () => {
    const fake = await startFake({ heartbeatIntervalMs: 20 });
    await readyClient(fake);

    await fake.waitFor(() => fake.gatewayStats.heartbeatAcks >= 2, 5_000, 'two heartbeat ACKs');

    expect(fake.gatewayStats.heartbeatAcks).toBeGreaterThanOrEqual(2);
  });
});
