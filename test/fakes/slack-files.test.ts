import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentSlackLogger } from '../support/sdk-clients.js';
import { type FakeSlack, SLACK_MAX_FILE_BYTES, startFakeSlack } from './slack/index.js';

const CHANNEL = 'C0GENERAL';
const DM = 'D0ALICE';
const ALICE = 'U0ALICE';
const OUTSIDE_PUBLIC = 'C0OUTSIDE';
const OUTSIDE_PRIVATE = 'G0SECRET';
const PLOT = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);

let fake: FakeSlack;
let client: webApi.WebClient;

/** A WebClient pointed at the fake; `undefined` sends no token at all. */
function webClient(token: string | undefined): webApi.WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: fake.apiUrl,
    logger: silentSlackLogger,
    retryConfig: { retries: 0 },
  });
}

/** The Slack error code of a rejected call. */
async function slackError(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  if (typeof data?.error !== 'string') throw new Error(`expected a Slack error, got ${error}`);
  return data.error;
}

/** Steps 1 and 2 by hand: a file id whose bytes are in, ready to complete. */
async function uploaded(bytes: Buffer = PLOT, filename = 'plot.png'): Promise<string> {
  const ticket = await client.files.getUploadURLExternal({ filename, length: bytes.length });
  await fetch(String(ticket.upload_url), { method: 'POST', body: new Uint8Array(bytes) });
  return String(ticket.file_id);
}

type FileFields = { id: string; url_private: string; url_private_download: string };

function bearer(token: string): RequestInit {
  return { headers: { authorization: `Bearer ${token}` } };
}

beforeAll(async () => {
  fake = await startFakeSlack({
    channels: [
      { id: CHANNEL, name: 'general' },
      { id: DM, user: ALICE },
      { id: OUTSIDE_PUBLIC, name: 'outside', isMember: false },
      { id: OUTSIDE_PRIVATE, name: 'secret', isMember: false },
    ],
  });
  client = webClient(fake.botToken);
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('fake Slack taking the app’s uploads', () => {
  it('takes a filesUploadV2 into a thread and shows the file there', async () => {
    const root = fake.seedMessage({ channel: CHANNEL, user: ALICE, text: 'plot it' });

    const result = await client.filesUploadV2({
      channel_id: CHANNEL,
      thread_ts: root,
      file: PLOT,
      filename: 'plot.png',
      title: 'Revenue',
      initial_comment: 'Here is the plot',
    });

    const fileId = result.files[0]?.files?.[0]?.id;
    expect(fake.files.uploads(CHANNEL, root)).toEqual([
      expect.objectContaining({ id: fileId, name: 'plot.png', title: 'Revenue', size: 10 }),
    ]);
    expect(fake.files.uploads(CHANNEL, root)[0]?.bytes.equals(PLOT)).toBe(true);
    const replies = await client.conversations.replies({ channel: CHANNEL, ts: root });
    expect(replies.messages?.at(-1)).toMatchObject({
      text: 'Here is the plot',
      thread_ts: root,
      files: [{ id: fileId, name: 'plot.png', mimetype: 'image/png', filetype: 'png', size: 10 }],
    });
    expect(fake.messages(CHANNEL, root).at(-1)?.files).toEqual([fileId]);
  });

  it('answers a raw POST to the upload URL with "OK - <length>", as Slack does', async () => {
    const ticket = await client.files.getUploadURLExternal({ filename: 'run.log', length: 5 });

    const response = await fetch(String(ticket.upload_url), { method: 'POST', body: 'hello' });
    const completed = await client.files.completeUploadExternal({
      files: [{ id: String(ticket.file_id) }],
      channel_id: CHANNEL,
    });

    expect(ticket.file_id).toMatch(/^F[A-Z0-9]+$/);
    expect([response.status, await response.text()]).toEqual([200, 'OK - 5']);
    expect(completed.files?.[0]).toMatchObject({ name: 'run.log', title: 'run.log', size: 5 });
    expect(fake.messages(CHANNEL).map((message) => message.files)).toEqual([[ticket.file_id]]);
  });

  it('takes a multipart POST with a `file` field', async () => {
    const ticket = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    const form = new FormData();
    form.append('file', new Blob(['abc']), 'a.txt');

    const response = await fetch(String(ticket.upload_url), { method: 'POST', body: form });
    await client.files.completeUploadExternal({ files: [{ id: String(ticket.file_id) }] });

    expect(response.status).toBe(200);
    expect(fake.files.uploads()[0]).toMatchObject({ channel: undefined, ts: undefined });
    expect(fake.files.uploads()[0]?.bytes.toString()).toBe('abc');
  });

  it.each([
    ['no filename', { length: 3 }, 'invalid_arguments'],
    ['no length', { filename: 'a.txt' }, 'invalid_arguments'],
    [
      'a length that is not a whole number',
      { filename: 'a.txt', length: '2.5' },
      'invalid_arguments',
    ],
    ['a zero length', { filename: 'a.txt', length: 0 }, 'missing_argument'],
    [
      'more than 1 GB',
      { filename: 'a.bin', length: SLACK_MAX_FILE_BYTES + 1 },
      'file_upload_size_restricted',
    ],
    [
      'a snippet over 1 MB',
      { filename: 'a.py', length: 2_000_000, snippet_type: 'python' },
      'snippet_too_large',
    ],
    [
      'alt text over 1,000 characters',
      { filename: 'a.png', length: 3, alt_txt: 'x'.repeat(1_001) },
      'alt_txt_too_large',
    ],
  ])('refuses an upload URL for %s', async (_case, args, error) => {
    expect(await slackError(client.apiCall('files.getUploadURLExternal', args))).toBe(error);
  });

  it('wants the bot token for an upload URL', async () => {
    const args = { filename: 'a.txt', length: 3 };

    const errors = [webClient(undefined), webClient('xoxb-wrong')].map((other) =>
      slackError(other.files.getUploadURLExternal(args)),
    );

    expect(await Promise.all(errors)).toEqual(['not_authed', 'invalid_auth']);
  });

  it('answers 404 for an unknown upload URL and for one already completed, 400 for a wrong length', async () => {
    const ticket = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    const url = String(ticket.upload_url);

    const short = await fetch(url, { method: 'POST', body: 'ab' });
    await fetch(url, { method: 'POST', body: 'abc' });
    await client.files.completeUploadExternal({ files: [{ id: String(ticket.file_id) }] });
    const late = await fetch(url, { method: 'POST', body: 'abc' });
    const unknown = await fetch(`${url}nope`, { method: 'POST', body: 'abc' });

    expect([short.status, late.status, unknown.status]).toEqual([400, 404, 404]);
  });

  it('refuses to complete an unknown file, one whose bytes never came, or one completed twice', async () => {
    const pending = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    const done = await uploaded();
    await client.files.completeUploadExternal({ files: [{ id: done }], channel_id: CHANNEL });

    const errors = await Promise.all(
      ['F0NOSUCH', String(pending.file_id), done].map((id) =>
        slackError(client.files.completeUploadExternal({ files: [{ id }], channel_id: CHANNEL })),
      ),
    );

    expect(errors).toEqual(['file_not_found', 'file_not_found', 'file_not_found']);
    expect(fake.files.uploads(CHANNEL)).toHaveLength(1);
  });

  it('refuses a thread that is not in the channel, and a thread without a channel', async () => {
    const id = await uploaded();
    const elsewhere = fake.seedMessage({ channel: DM, user: ALICE, text: 'in the DM' });

    const notHere = client.files.completeUploadExternal({
      files: [{ id }],
      channel_id: CHANNEL,
      thread_ts: elsewhere,
    });
    const noChannel = client.apiCall('files.completeUploadExternal', {
      files: [{ id }],
      thread_ts: elsewhere,
    });

    expect(await slackError(notHere)).toBe('thread_not_found');
    expect(await slackError(noChannel)).toBe('invalid_arguments');
  });

  it('refuses channels the bot is not in: not_in_channel if public, channel_not_found if private', async () => {
    const id = await uploaded();

    const errors = await Promise.all(
      [OUTSIDE_PUBLIC, OUTSIDE_PRIVATE, 'C0NOSUCH'].map((channel) =>
        slackError(client.files.completeUploadExternal({ files: [{ id }], channel_id: channel })),
      ),
    );

    expect(errors).toEqual(['not_in_channel', 'channel_not_found', 'channel_not_found']);
    expect(fake.files.uploads()).toEqual([]);
  });

  it('describes an upload with files.info, with where it is shared', async () => {
    const root = fake.seedMessage({ channel: CHANNEL, user: ALICE, text: 'log?' });
    const pending = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
    const id = await uploaded();
    await client.files.completeUploadExternal({
      files: [{ id, title: 'Plot' }],
      channel_id: CHANNEL,
      thread_ts: root,
    });

    const info = await client.files.info({ file: id });

    const shareTs = fake.files.uploads(CHANNEL, root)[0]?.ts;
    expect(info.file).toMatchObject({ id, title: 'Plot', channels: [CHANNEL] });
    expect(info.file?.shares?.public?.[CHANNEL]?.[0]).toMatchObject({
      ts: shareTs,
      thread_ts: root,
    });
    expect(await slackError(client.files.info({ file: String(pending.file_id) }))).toBe(
      'file_not_found',
    );
  });
});

describe('fake Slack delivering files people share', () => {
  let app: App;
  let eventsUrl: string;
  const received: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const receiver = new HTTPReceiver({
      signingSecret: fake.signingSecret,
      logger: silentSlackLogger,
      processBeforeResponse: true,
    });
    app = new App({
      token: fake.botToken,
      receiver,
      logger: silentSlackLogger,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    app.event('message', async ({ event }) => {
      received.push({ ...event });
    });
    app.event('app_mention', async ({ event }) => {
      received.push({ ...event });
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(() => app.stop());
  beforeEach(() => {
    received.length = 0;
  });

  it('delivers a thread reply with a file as a file_share message event', async () => {
    const root = fake.seedMessage({ channel: CHANNEL, user: ALICE, text: 'run failed' });
    const event = fake.files.userShare({
      channel: CHANNEL,
      user: ALICE,
      threadTs: root,
      text: 'the log',
      files: [{ name: 'run.log', mimetype: 'text/plain', bytes: 'boom\n' }],
    });

    const delivery = await fake.sendEvent(eventsUrl, event);

    expect(delivery.acked).toBe(true);
    expect(received).toEqual([
      expect.objectContaining({
        type: 'message',
        subtype: 'file_share',
        text: 'the log',
        user: ALICE,
        thread_ts: root,
        channel_type: 'channel',
        files: [
          expect.objectContaining({
            id: expect.stringMatching(/^F/),
            name: 'run.log',
            title: 'run.log',
            mimetype: 'text/plain',
            filetype: 'text',
            size: 5,
            url_private: expect.stringContaining(`${fake.url}/files-pri/`),
            url_private_download: expect.stringContaining('/download/run.log'),
            permalink: expect.stringContaining('.slack.com/files/'),
          }),
        ],
      }),
    ]);
    expect(fake.files.sharedBy(ALICE)).toEqual([
      expect.objectContaining({ name: 'run.log', size: 5, channel: CHANNEL, threadTs: root }),
    ]);
    expect(fake.messages(CHANNEL, root).at(-1)?.files).toHaveLength(1);
  });

  it('delivers a mention with files as app_mention, and a DM share with channel_type im', async () => {
    const mention = fake.files.userShare({
      channel: CHANNEL,
      user: ALICE,
      text: '<@U0BOT> read this',
      mention: true,
      files: [{ name: 'notes.md', bytes: '# notes' }],
    });
    const direct = fake.files.userShare({
      channel: DM,
      user: ALICE,
      files: [{ name: 'photo.jpg', bytes: PLOT }],
    });

    await fake.sendEvent(eventsUrl, mention);
    await fake.sendEvent(eventsUrl, direct);

    expect(received.map((event) => [event.type, event.subtype, event.channel_type])).toEqual([
      ['app_mention', undefined, undefined],
      ['message', 'file_share', 'im'],
    ]);
    expect(received[0]?.files).toEqual([expect.objectContaining({ name: 'notes.md' })]);
    expect(received[1]?.files).toEqual([
      expect.objectContaining({ mimetype: 'image/jpeg', filetype: 'jpg' }),
    ]);
  });

  it('serves url_private to the bot token, and its sign-in page (200, HTML) to anyone else', async () => {
    const event = fake.files.userShare({
      channel: CHANNEL,
      user: ALICE,
      files: [{ name: 'data.csv', mimetype: 'text/csv', bytes: 'a,b\n1,2\n' }],
    });
    await fake.sendEvent(eventsUrl, event);
    const files = received[0]?.files as FileFields[] | undefined;
    const file = files?.[0];
    if (file === undefined) throw new Error('no file in the event');

    const withToken = await fetch(file.url_private, bearer(fake.botToken));
    const download = await fetch(file.url_private_download, bearer(fake.botToken));
    const anonymous = await fetch(file.url_private);
    const wrongToken = await fetch(file.url_private, bearer('xoxb-wrong'));

    expect([withToken.status, withToken.headers.get('content-type')]).toEqual([200, 'text/csv']);
    expect(await withToken.text()).toBe('a,b\n1,2\n');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="data.csv"');
    for (const refused of [anonymous, wrongToken]) {
      expect(refused.status).toBe(200);
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await refused.text()).toMatch(/^<!DOCTYPE html>/);
    }
    expect(fake.files.downloads(file.id)).toEqual({ authorized: 2, unauthorized: 2 });
  });

  it('describes a shared file with files.info, and hides files from conversations the bot is not in', async () => {
    const here = fake.files.userShare({
      channel: CHANNEL,
      user: ALICE,
      files: [{ name: 'a.txt', bytes: 'a' }],
    });
    const away = fake.files.userShare({
      channel: OUTSIDE_PRIVATE,
      user: ALICE,
      files: [{ name: 'b.txt', bytes: 'b' }],
    });
    await fake.sendEvent(eventsUrl, here);
    await fake.sendEvent(eventsUrl, away);
    const [hereId, awayId] = fake.files.sharedBy(ALICE).map((file) => file.id);

    const info = await client.files.info({ file: String(hereId) });

    expect(info.file).toMatchObject({ id: hereId, name: 'a.txt', size: 1, user: ALICE });
    expect(info.file?.url_private).toContain(`/files-pri/${fake.teamId}-${hereId}/`);
    expect(await slackError(client.files.info({ file: String(awayId) }))).toBe('file_not_found');
    expect(await slackError(client.files.info({ file: 'F0NOSUCH' }))).toBe('file_not_found');
  });
});
