import { once } from 'node:events';
import {
  type APIMessage,
  Client,
  type DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Message,
  Partials,
  type RawFile,
  REST,
  Routes,
  type TextChannel,
} from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../support/png.js';
import {
  ATTACHMENT_LIMITS,
  CDN_URL_LIFETIME_MS,
  DEFAULT_IDS,
  type FakeDiscord,
  startFakeDiscord,
} from './discord/index.js';

const GENERAL = DEFAULT_IDS.general;
const ALICE = DEFAULT_IDS.alice;
const BASE_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
];
const SIGNED_URL =
  /^http:\/\/127\.0\.0\.1:\d+\/attachments\/\d+\/\d+\/[\w.-]+\?ex=[0-9a-f]+&is=[0-9a-f]+&hm=[0-9a-f]{64}&$/;
const GONE = 'This content is no longer available.';
function restFor(fake: FakeDiscord): REST {
  // Sweepers off: their intervals would outlive the test.
  return new REST({
    api: fake.restUrl,
    version: '10',
    hashSweepInterval: 0,
    handlerSweepInterval: 0,
  }).setToken(fake.token);
}

async function readyClient(fake: FakeDiscord, intents: GatewayIntentBits[]): Promise<Client> {
  const client = new Client({ intents, partials: [Partials.Channel], ...fake.clientOptions() });
  const ready = once(client, Events.ClientReady);
  await client.login(fake.token);
  await ready;
  return client;
}

function nextMessage(client: Client, accept: (message: Message) => boolean): Promise<Message> {
  return new Promise((resolve) => {
    const listener = (message: Message) => {
      if (!accept(message)) return;
      client.off(Events.MessageCreate, listener);
      resolve(message);
    };
    client.on(Events.MessageCreate, listener);
  });
}

/** A bot message carrying `files` as discord.js sends it: payload_json with `attachments`, then files[n]. */
function postFiles(rest: REST, files: RawFile[], body: Record<string, unknown> = {}) {
  const attachments = files.map((file, id) => ({ id, filename: file.name }));
  return rest.post(Routes.channelMessages(GENERAL), { body: { attachments, ...body }, files });
}

const rawError = (error: unknown) => (error as DiscordAPIError).rawError;

describe('fake Discord attachments with the real discord.js REST and Client', () => {
  let fake: FakeDiscord;
  let rest: REST;
  let client: Client;
  let general: TextChannel;

  beforeAll(async () => {
    fake = await startFakeDiscord();
    rest = restFor(fake);
    client = await readyClient(fake, [...BASE_INTENTS, GatewayIntentBits.MessageContent]);
    general = (await client.channels.fetch(GENERAL)) as TextChannel;
  });

  afterAll(async () => {
    await client.destroy();
    await fake.close();
  });

  it('posts a bot message with a file from multipart payload_json and files[0]', async () => {
    const data = Buffer.from('print("hello")\n');

    const message = (await postFiles(rest, [{ name: 'hello.py', data }], {
      content: 'the code',
    })) as APIMessage;

    expect(message.content).toBe('the code');
    expect(message.attachments).toEqual([
      expect.objectContaining({
        filename: 'hello.py',
        size: data.length,
        content_type: 'text/x-python; charset=utf-8',
        url: expect.stringMatching(SIGNED_URL),
        proxy_url: expect.stringContaining('/media/attachments/'),
      }),
    ]);
    expect(message.attachments[0]).not.toHaveProperty('width');
    expect(fake.attachments(GENERAL).at(-1)).toMatchObject({
      messageId: message.id,
      filename: 'hello.py',
      data,
      postedBy: { kind: 'bot' },
    });
    expect(fake.restCalls.at(-1)?.files).toEqual([
      { field: 'files[0]', filename: 'hello.py', size: data.length },
    ]);
  });

  it('takes a message with only an image, as channel.send({ files }) sends it', async () => {
    const sent = await general.send({ files: [{ attachment: png(4, 3), name: 'plot.png' }] });

    expect(sent.content).toBe('');
    expect(sent.attachments.first()).toMatchObject({
      name: 'plot.png',
      contentType: 'image/png',
      width: 4,
      height: 3,
    });
  });

  it('posts a webhook file under a username into a thread', async () => {
    const thread = await (await general.send('analysis')).startThread({ name: 'Analysis' });
    const webhook = await general.createWebhook({ name: 'Parley roles' });

    const message = (await rest.post(Routes.webhook(webhook.id, webhook.token ?? ''), {
      auth: false,
      query: new URLSearchParams({ wait: 'true', thread_id: thread.id }),
      body: { username: 'Analyst', attachments: [{ id: 0, filename: 'plot.png' }] },
      files: [{ name: 'plot.png', data: png(3, 2), contentType: 'image/png' }],
    })) as APIMessage;

    expect(message).toMatchObject({
      channel_id: thread.id,
      webhook_id: webhook.id,
      author: { username: 'Analyst' },
      content: '',
      attachments: [{ filename: 'plot.png', content_type: 'image/png', width: 3, height: 2 }],
    });
    expect(fake.attachments(thread.id)).toMatchObject([
      {
        filename: 'plot.png',
        postedBy: { kind: 'webhook', webhookId: webhook.id, username: 'Analyst' },
      },
    ]);
  });

  it('refuses 11 files with 30015 and a file over 10 MiB with 413 40005', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, data: `file ${i}` }));
    const big = Buffer.alloc(ATTACHMENT_LIMITS.fileBytes + 1);

    const tooMany = await postFiles(rest, eleven).catch((e: unknown) => e);
    const tooLarge = await postFiles(rest, [{ name: 'big.log', data: big }]).catch(
      (e: unknown) => e,
    );

    expect(tooMany).toMatchObject({ code: 30015, status: 400 });
    expect(tooLarge).toMatchObject({ code: 40005, status: 413 });
    expect(rawError(tooLarge)).toEqual({ message: 'Request entity too large', code: 40005 });
    await expect(postFiles(rest, eleven.slice(0, 10))).resolves.toBeDefined();
    await expect(
      postFiles(rest, [{ name: 'max.log', data: big.subarray(1) }]),
    ).resolves.toBeDefined();
  });

  it("takes a Nitro user's file over 10 MiB, and refuses it from anyone else", () => {
    const big = { name: 'video.mp4', data: Buffer.alloc(ATTACHMENT_LIMITS.fileBytes + 1) };

    const sent = fake.sendMessage({
      channelId: GENERAL,
      authorId: ALICE,
      attachments: [big],
      hasNitro: true,
    });
    const refused = () =>
      fake.sendMessage({ channelId: GENERAL, authorId: ALICE, attachments: [big] });

    expect(sent.attachments[0]?.size).toBe(ATTACHMENT_LIMITS.fileBytes + 1);
    expect(refused).toThrow(expect.objectContaining({ status: 413 }));
  });

  it('refuses an attachments id that names no files[n] with 50035 ATTACHMENT_NOT_FOUND', async () => {
    const error = await rest
      .post(Routes.channelMessages(GENERAL), {
        body: { content: 'x', attachments: [{ id: 1, filename: 'a.txt' }] },
        files: [{ name: 'a.txt', data: 'a' }],
      })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 50035, status: 400 });
    expect(rawError(error)).toMatchObject({
      errors: { attachments: { '0': { _errors: [{ code: 'ATTACHMENT_NOT_FOUND' }] } } },
    });
  });

  it('refuses a files[n] part without a filename with 50035', async () => {
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'x' }));
    form.append('files[0]', 'not a file');

    const response = await fetch(`${fake.restUrl}/v10/channels/${GENERAL}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${fake.token}` },
      body: form,
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code: 50035,
      errors: { 'files[0]': { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } },
    });
  });

  it("delivers a user's image through the gateway with Discord's attachment fields", async () => {
    const image = png(3, 2);
    const received = nextMessage(client, (m) => m.author.id === ALICE && m.attachments.size > 0);

    const sent = fake.sendMessage({
      channelId: GENERAL,
      authorId: ALICE,
      attachments: [{ name: 'cat photo.png', contentType: 'image/png', data: image }],
    });
    const message = await received;

    expect(message.content).toBe('');
    expect(message.attachments.first()).toMatchObject({
      id: sent.attachments[0]?.id,
      name: 'cat_photo.png',
      contentType: 'image/png',
      size: image.length,
      width: 3,
      height: 2,
      url: expect.stringMatching(SIGNED_URL),
    });
    expect(fake.attachments(GENERAL).at(-1)?.postedBy).toEqual({ kind: 'user', userId: ALICE });
  });

  it('delivers a DM with a file and no text', async () => {
    const received = nextMessage(client, (m) => m.guildId === null && m.attachments.size > 0);

    fake.sendDm({ userId: ALICE, attachments: [{ name: 'notes.txt', data: 'remember' }] });
    const message = await received;

    expect(message.attachments.first()).toMatchObject({
      name: 'notes.txt',
      contentType: 'text/plain; charset=utf-8',
    });
  });

  it('hides attachments from a client without MessageContent unless it is mentioned', async () => {
    const blind = await readyClient(fake, BASE_INTENTS);
    const fromAlice = (m: Message) => m.author.id === ALICE;
    const file = { name: 'chart.png', data: png(1, 1) };
    try {
      const unmentioned = nextMessage(blind, fromAlice);
      fake.sendMessage({ channelId: GENERAL, authorId: ALICE, attachments: [file] });
      expect((await unmentioned).attachments.size).toBe(0);

      const mentioned = nextMessage(blind, fromAlice);
      fake.sendMessage({
        channelId: GENERAL,
        authorId: ALICE,
        mentionsBot: true,
        attachments: [file],
      });
      expect((await mentioned).attachments.first()?.name).toBe('chart.png');
    } finally {
      await blind.destroy();
    }
  });

  it('serves the bytes at the signed URL and 404 without or with a wrong signature', async () => {
    const image = png(2, 2);
    const sent = fake.sendMessage({
      channelId: GENERAL,
      authorId: ALICE,
      attachments: [{ name: 'a.png', data: image }],
    });
    const before = fake.cdnStats;

    const fetched = (await rest.get(Routes.channelMessage(GENERAL, sent.id))) as APIMessage;
    const { url, proxy_url } = fetched.attachments[0] ?? { url: '', proxy_url: '' };
    const signed = await fetch(url);
    const proxied = await fetch(proxy_url);
    const bare = await fetch(url.split('?')[0] ?? '');
    const forged = await fetch(url.replace(/hm=[0-9a-f]+/, `hm=${'0'.repeat(64)}`));

    expect(signed.status).toBe(200);
    expect(signed.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await signed.arrayBuffer())).toEqual(image);
    expect(proxied.status).toBe(200);
    expect([bare.status, forged.status]).toEqual([404, 404]);
    expect(await bare.text()).toBe(GONE);
    expect(fake.attachments(GENERAL).at(-1)?.downloads).toEqual({ served: 2, refused: 2 });
    expect(fake.cdnStats).toEqual({ served: before.served + 2, refused: before.refused + 2 });
  });

  it('keeps, adds and drops attachments on edit, and the CDN forgets a dropped one', async () => {
    const first = (await postFiles(rest, [{ name: 'a.txt', data: 'a' }])) as APIMessage;
    const kept = first.attachments[0];

    const edited = (await rest.patch(Routes.channelMessage(GENERAL, first.id), {
      body: { attachments: [{ id: kept?.id }, { id: 0, filename: 'b.txt' }] },
      files: [{ name: 'b.txt', data: 'b' }],
    })) as APIMessage;
    const added = edited.attachments[1];
    const dropped = (await rest.patch(Routes.channelMessage(GENERAL, first.id), {
      body: { attachments: [{ id: added?.id }] },
    })) as APIMessage;

    expect(edited.attachments.map((a) => [a.id, a.filename])).toEqual([
      [kept?.id, 'a.txt'],
      [added?.id, 'b.txt'],
    ]);
    expect(dropped.attachments.map((a) => a.filename)).toEqual(['b.txt']);
    expect((await fetch(kept?.url ?? '')).status).toBe(404);
  });
});

describe('fake Discord attachment URLs over time', () => {
  it('expires a URL after 24 h and signs fresh ones when the message is fetched', async () => {
    let clock = Date.now();
    const fake = await startFakeDiscord({ now: () => clock });
    const rest = restFor(fake);
    try {
      const posted = (await postFiles(rest, [{ name: 'log.txt', data: 'ok' }])) as APIMessage;
      const first = posted.attachments[0]?.url ?? '';

      clock += CDN_URL_LIFETIME_MS + 1_000;
      const expired = await fetch(first);
      const fetched = (await rest.get(Routes.channelMessage(GENERAL, posted.id))) as APIMessage;
      const fresh = fetched.attachments[0]?.url ?? '';

      expect(expired.status).toBe(404);
      expect(fresh).not.toBe(first);
      expect(new URL(fresh).searchParams.get('is')).toBe(Math.floor(clock / 1_000).toString(16));
      expect((await fetch(fresh)).status).toBe(200);
    } finally {
      await fake.close();
    }
  });
});
