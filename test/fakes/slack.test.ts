import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentSlackLogger } from '../support/sdk-clients.js';
import {
  type FakeSlack,
  SLACK_MAX_SECTION_TEXT_LENGTH,
  SLACK_MAX_STREAM_TEXT_LENGTH,
  SLACK_MAX_TEXT_LENGTH,
  signSlackRequest,
  startFakeSlack,
} from './slack/index.js';

const CHANNEL = 'C0GENERAL';
const DM = 'D0ALICE';
const ALICE = 'U0ALICE';

let fake: FakeSlack;

function webClient(options: webApi.WebClientOptions = {}, token = fake.botToken): webApi.WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: fake.apiUrl,
    logger: silentSlackLogger,
    retryConfig: { retries: 0 },
    ...options,
  });
}

/** The error a rejected Web API call carries. */
async function failureOf(promise: Promise<unknown>): Promise<webApi.WebAPICallError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error) || !('code' in error)) {
    throw new Error(`expected a Web API error, got ${String(error)}`);
  }
  return error as webApi.WebAPICallError;
}

/** The Slack error code (`data.error`) of a rejected call. */
async function slackError(promise: Promise<unknown>): Promise<string> {
  const error = await failureOf(promise);
  if (error.code !== webApi.ErrorCode.PlatformError)
    throw new Error(`not a platform error: ${error.code}`);
  return String(error.data.error);
}

beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('fake Slack delivering to a real Bolt app', () => {
  let app: App;
  let eventsUrl: string;

  beforeAll(async () => {
    const receiver = new HTTPReceiver({
      signingSecret: fake.signingSecret,
      logger: silentSlackLogger,
    });
    app = new App({
      token: fake.botToken,
      receiver,
      logger: silentSlackLogger,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    });
    app.event('app_mention', async ({ event, context, say }) => {
      const retry =
        context.retryNum === undefined
          ? ''
          : ` (retry ${context.retryNum}, ${context.retryReason})`;
      await say({ text: `heard: ${event.text}${retry}`, thread_ts: event.ts });
    });
    app.command('/parley', async ({ ack, command, respond }) => {
      await ack();
      await respond({ text: `agent for ${command.channel_id}: default` });
    });
    app.action('stop', async ({ ack, respond }) => {
      await ack();
      await respond({ text: 'stopped', replace_original: true });
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(() => app.stop());

  it('delivers a signed event that Bolt acknowledges and answers in the thread', async () => {
    const mention = fake.userMessage({
      channel: CHANNEL,
      user: ALICE,
      text: '<@U0BOT> hi',
      mention: true,
    });

    const delivery = await fake.sendEvent(eventsUrl, mention);
    await fake.waitForCall('chat.postMessage', (call) => call.ok);

    expect(delivery).toMatchObject({ status: 200, acked: true });
    const thread = fake.messages(CHANNEL, String(mention.ts));
    expect(thread.map((message) => [message.user, message.text])).toEqual([
      [ALICE, '<@U0BOT> hi'],
      [fake.botUserId, 'heard: <@U0BOT> hi'],
    ]);
  });

  it('passes the retry number and reason headers to Bolt', async () => {
    const mention = fake.userMessage({
      channel: CHANNEL,
      user: ALICE,
      text: 'again',
      mention: true,
    });

    await fake.sendEvent(eventsUrl, mention, {
      eventId: 'Ev0RETRY',
      retryNum: 1,
      retryReason: 'http_timeout',
    });
    const reply = await fake.waitForCall('chat.postMessage');

    expect(reply.args.text).toBe('heard: again (retry 1, http_timeout)');
  });

  it('is refused by Bolt with 401 when the signature is wrong', async () => {
    const mention = fake.userMessage({
      channel: CHANNEL,
      user: ALICE,
      text: 'forged',
      mention: true,
    });

    const delivery = await fake.sendEvent(eventsUrl, mention, { badSignature: true });

    expect(delivery.status).toBe(401);
    expect(fake.callsTo('chat.postMessage')).toEqual([]);
  });

  it('is refused by Bolt with 401 when the timestamp is stale', async () => {
    const mention = fake.userMessage({
      channel: CHANNEL,
      user: ALICE,
      text: 'replayed',
      mention: true,
    });

    const delivery = await fake.sendEvent(eventsUrl, mention, { staleTimestamp: true });

    expect(delivery.status).toBe(401);
  });

  it('completes the url_verification handshake', async () => {
    const delivery = await fake.sendUrlVerification(eventsUrl, 'challenge-123');

    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body)).toEqual({ challenge: 'challenge-123' });
  });

  it('sends a signed slash command and records what the app posts to its response_url', async () => {
    const delivery = await fake.sendSlashCommand(eventsUrl, {
      command: '/parley',
      text: 'agent',
      user_id: ALICE,
      channel_id: CHANNEL,
    });
    await fake.waitFor(() => fake.responses.length === 1);

    expect(delivery.status).toBe(200);
    expect(fake.responses[0]).toMatchObject({
      responseUrl: delivery.responseUrl,
      status: 200,
      body: { text: `agent for ${CHANNEL}: default` },
    });
  });

  it('lets a response_url be used five times, as Slack does', async () => {
    const { responseUrl } = await fake.sendSlashCommand(eventsUrl, {
      command: '/parley',
      user_id: ALICE,
      channel_id: CHANNEL,
    });
    await fake.waitFor(() => fake.responses.length === 1);
    const respond = () =>
      fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'again' }),
      }).then(async (response) => [response.status, await response.text()]);

    const statuses = [
      await respond(),
      await respond(),
      await respond(),
      await respond(),
      await respond(),
    ];

    expect(statuses).toEqual([
      [200, 'ok'],
      [200, 'ok'],
      [200, 'ok'],
      [200, 'ok'],
      [404, 'used_url'],
    ]);
  });

  it('sends a block_actions payload that Bolt routes to its action listener', async () => {
    const payload = {
      type: 'block_actions',
      user: { id: ALICE, username: 'alice', team_id: fake.teamId },
      channel: { id: CHANNEL, name: 'general' },
      container: { type: 'message', message_ts: '1712345678.000100', channel_id: CHANNEL },
      actions: [
        {
          type: 'button',
          action_id: 'stop',
          block_id: 'roleplay',
          value: 'stop',
          action_ts: '1712345679.000000',
        },
      ],
    };

    const delivery = await fake.sendInteraction(eventsUrl, payload);
    await fake.waitFor(() => fake.responses.length === 1);

    expect(delivery.status).toBe(200);
    expect(fake.responses[0]?.body).toEqual({ text: 'stopped', replace_original: true });
  });
});

describe('fake Slack Web API through the real WebClient', () => {
  it('identifies the bot on auth.test', async () => {
    const result = await webClient().auth.test();

    expect(result).toMatchObject({
      ok: true,
      user_id: 'U0BOT',
      bot_id: 'B0BOT',
      team_id: 'T0TEST',
    });
  });

  it('refuses a wrong token, a missing token and an unknown method', async () => {
    const anonymous = new webApi.WebClient(undefined, {
      slackApiUrl: fake.apiUrl,
      logger: silentSlackLogger,
    });

    expect(await slackError(webClient({}, 'xoxb-wrong').auth.test())).toBe('invalid_auth');
    expect(await slackError(anonymous.auth.test())).toBe('not_authed');
    expect(await slackError(webClient().apiCall('chat.frobnicate'))).toBe('unknown_method');
  });

  it('takes JSON bodies only with the token in the Authorization header', async () => {
    const post = (headers: Record<string, string>, body: object) =>
      fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
        body: JSON.stringify(body),
      }).then((response) => response.json());

    const withHeader = await post(
      { authorization: `Bearer ${fake.botToken}` },
      { channel: CHANNEL, text: 'json' },
    );
    const inBody = await post({}, { channel: CHANNEL, text: 'json', token: fake.botToken });

    expect(withHeader).toMatchObject({ ok: true, channel: CHANNEL });
    expect(inBody).toEqual({ ok: false, error: 'not_authed' });
  });

  it('records posts with their persona and counts edits', async () => {
    const client = webClient();

    const posted = await client.chat.postMessage({
      channel: CHANNEL,
      text: 'Bonjour',
      username: 'Socrates',
      icon_url: 'https://example.test/socrates.png',
    });
    await client.chat.update({ channel: CHANNEL, ts: String(posted.ts), text: 'Bonjour !' });

    expect(fake.messages(CHANNEL)).toEqual([
      expect.objectContaining({
        text: 'Bonjour !',
        user: 'U0BOT',
        username: 'Socrates',
        iconUrl: 'https://example.test/socrates.png',
        edits: 1,
      }),
    ]);
    expect(fake.calls.map((call) => [call.method, call.ok])).toEqual([
      ['chat.postMessage', true],
      ['chat.update', true],
    ]);
  });

  it('mints increasing ts values and threads a reply to a reply under the root', async () => {
    const client = webClient();
    const root = fake.seedMessage({ channel: CHANNEL, user: ALICE, text: 'question' });

    const first = await client.chat.postMessage({ channel: CHANNEL, text: 'one', thread_ts: root });
    const second = await client.chat.postMessage({
      channel: CHANNEL,
      text: 'two',
      thread_ts: String(first.ts),
    });

    expect(String(first.ts) > root && String(second.ts) > String(first.ts)).toBe(true);
    expect(String(second.ts)).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.messages(CHANNEL, root).map((message) => message.threadTs)).toEqual([
      undefined,
      root,
      root,
    ]);
  });

  it("enforces Slack's message rules", async () => {
    const client = webClient();
    const longText = 'x'.repeat(SLACK_MAX_TEXT_LENGTH + 1);
    const longSection = [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'y'.repeat(SLACK_MAX_SECTION_TEXT_LENGTH + 1) },
      },
    ];
    const tooManyBlocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const userTs = fake.seedMessage({ channel: CHANNEL, user: ALICE, text: 'mine' });

    expect(await slackError(client.chat.postMessage({ channel: CHANNEL, text: longText }))).toBe(
      'msg_too_long',
    );
    expect(
      await slackError(
        client.chat.postMessage({ channel: CHANNEL, text: 'a', blocks: longSection }),
      ),
    ).toBe('invalid_blocks');
    expect(
      await slackError(
        client.chat.postMessage({ channel: CHANNEL, text: 'a', blocks: tooManyBlocks }),
      ),
    ).toBe('invalid_blocks');
    expect(await slackError(client.apiCall('chat.postMessage', { channel: CHANNEL }))).toBe(
      'no_text',
    );
    expect(await slackError(client.chat.postMessage({ channel: 'C0NOPE', text: 'a' }))).toBe(
      'channel_not_found',
    );
    expect(
      await slackError(
        client.chat.postMessage({ channel: CHANNEL, text: 'a', thread_ts: '1.000001' }),
      ),
    ).toBe('thread_not_found');
    expect(await slackError(client.chat.update({ channel: CHANNEL, ts: userTs, text: 'b' }))).toBe(
      'cant_update_message',
    );
    expect(
      await slackError(client.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'b' })),
    ).toBe('message_not_found');
    expect(fake.calls.every((call) => !call.ok && call.status === 200)).toBe(true);
  });

  it('streams a reply whose final text is everything appended', async () => {
    const client = webClient();
    const root = fake.seedMessage({ channel: CHANNEL, user: ALICE, text: 'tell me' });
    const streamer = client.chatStream({
      channel: CHANNEL,
      thread_ts: root,
      recipient_team_id: fake.teamId,
      recipient_user_id: ALICE,
      buffer_size: 4,
    });

    await streamer.append({ markdown_text: 'Once ' });
    await streamer.append({ markdown_text: 'upon ' });
    const streaming = fake.message(CHANNEL, String(streamer.ts));
    await streamer.stop({ markdown_text: 'a time.' });

    expect(streaming).toMatchObject({ stream: 'streaming', text: 'Once upon ' });
    expect(fake.message(CHANNEL, String(streamer.ts))).toMatchObject({
      text: 'Once upon a time.',
      stream: 'stopped',
      appends: 1,
      threadTs: root,
    });
    expect(fake.calls.map((call) => call.method)).toEqual([
      'chat.startStream',
      'chat.appendStream',
      'chat.stopStream',
    ]);
  });

  it('requires the recipient when streaming outside a DM', async () => {
    const client = webClient();
    const root = fake.seedMessage({ channel: CHANNEL, user: ALICE, text: 'hi' });
    const dmRoot = fake.seedMessage({ channel: DM, user: ALICE, text: 'hi' });

    const noTeam = slackError(client.chat.startStream({ channel: CHANNEL, thread_ts: root }));
    const noUser = slackError(
      client.chat.startStream({ channel: CHANNEL, thread_ts: root, recipient_team_id: 'T0TEST' }),
    );
    const inDm = await client.chat.startStream({
      channel: DM,
      thread_ts: dmRoot,
      markdown_text: 'hi',
    });

    expect(await noTeam).toBe('missing_recipient_team_id');
    expect(await noUser).toBe('missing_recipient_user_id');
    expect(fake.message(DM, String(inDm.ts))?.stream).toBe('streaming');
  });

  it('refuses appends that are too long or come after the stream stopped', async () => {
    const client = webClient();
    const root = fake.seedMessage({ channel: DM, user: ALICE, text: 'hi' });
    const { ts } = await client.chat.startStream({ channel: DM, thread_ts: root });
    const stream = { channel: DM, ts: String(ts) };

    const tooLong = await slackError(
      client.chat.appendStream({
        ...stream,
        markdown_text: 'z'.repeat(SLACK_MAX_STREAM_TEXT_LENGTH + 1),
      }),
    );
    await client.chat.stopStream({ ...stream, markdown_text: 'done' });
    const afterStop = await slackError(
      client.chat.appendStream({ ...stream, markdown_text: 'more' }),
    );

    expect(tooLong).toBe('msg_too_long');
    expect(afterStop).toBe('message_not_in_streaming_state');
    expect(fake.message(DM, stream.ts)?.text).toBe('done');
  });

  it('answers an injected 429 with Retry-After, which WebClient surfaces when told to reject', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });

    const error = await failureOf(
      webClient({ rejectRateLimitedCalls: true }).chat.postMessage({ channel: CHANNEL, text: 'a' }),
    );

    expect(error.code).toBe(webApi.ErrorCode.RateLimitedError);
    expect(error.code === webApi.ErrorCode.RateLimitedError && error.retryAfter).toBe(7);
    expect(fake.calls).toEqual([expect.objectContaining({ status: 429, error: 'ratelimited' })]);
  });

  it('lets WebClient retry after the Retry-After it was given', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
    const client = webClient({ retryConfig: { retries: 1, minTimeout: 0, maxTimeout: 0 } });

    await client.chat.postMessage({ channel: CHANNEL, text: 'patient' });

    expect(fake.callsTo('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
    expect(fake.messages(CHANNEL).map((message) => message.text)).toEqual(['patient']);
  });

  it('surfaces an injected server error as an HTTP error', async () => {
    fake.failNext('chat.update', { status: 500 });
    fake.failNext('users.info', 'fatal_error');

    const httpError = await failureOf(
      webClient().chat.update({ channel: CHANNEL, ts: '1.000001', text: 'a' }),
    );

    expect(httpError.code === webApi.ErrorCode.HTTPError && httpError.statusCode).toBe(500);
    expect(await slackError(webClient().users.info({ user: ALICE }))).toBe('fatal_error');
  });

  it('pages conversations.replies with next_cursor, root first', async () => {
    const root = fake.seedMessage({ channel: CHANNEL, user: ALICE, text: 'root' });
    for (const text of ['r1', 'r2', 'r3', 'r4'])
      fake.seedMessage({ channel: CHANNEL, user: ALICE, text, threadTs: root });
    const client = webClient();

    const pages: string[][] = [];
    for await (const page of client.paginate('conversations.replies', {
      channel: CHANNEL,
      ts: root,
      limit: 2,
    })) {
      const { messages = [] } = page as webApi.ConversationsRepliesResponse;
      pages.push(messages.map((message) => String(message.text)));
    }
    const badCursor = await slackError(
      client.conversations.replies({ channel: CHANNEL, ts: root, cursor: 'bm9wZQ==' }),
    );

    expect(pages).toEqual([['root', 'r1'], ['r2', 'r3'], ['r4']]);
    expect(badCursor).toBe('invalid_cursor');
  });

  it('describes people and conversations', async () => {
    const client = webClient();

    const alice = await client.users.info({ user: ALICE });
    const dm = await client.conversations.info({ channel: DM });
    const unknown = await slackError(client.users.info({ user: 'U0NOBODY' }));

    expect(alice.user).toMatchObject({
      name: 'alice',
      real_name: 'Alice Martin',
      profile: { display_name: 'Alice' },
    });
    expect(dm.channel).toMatchObject({ id: DM, is_im: true, user: ALICE });
    expect(unknown).toBe('user_not_found');
  });

  it('shows an assistant status until the bot replies in the thread', async () => {
    const client = webClient();
    const root = fake.seedMessage({ channel: DM, user: ALICE, text: 'hi' });

    await client.assistant.threads.setStatus({
      channel_id: DM,
      thread_ts: root,
      status: 'is thinking…',
    });
    const whileWorking = fake.assistantStatus(DM, root);
    await client.chat.postMessage({ channel: DM, thread_ts: root, text: 'answer' });

    expect(whileWorking).toBe('is thinking…');
    expect(fake.assistantStatus(DM, root)).toBe('');
  });

  it('adds a reaction once', async () => {
    const client = webClient();
    const ts = fake.seedMessage({ channel: CHANNEL, user: ALICE, text: 'hi' });

    await client.reactions.add({ channel: CHANNEL, timestamp: ts, name: 'eyes' });
    const again = await slackError(
      client.reactions.add({ channel: CHANNEL, timestamp: ts, name: 'eyes' }),
    );

    expect(fake.message(CHANNEL, ts)?.reactions).toEqual(['eyes']);
    expect(again).toBe('already_reacted');
  });

  it("builds the echo Slack sends of the bot's own post", async () => {
    const { ts } = await webClient().chat.postMessage({ channel: CHANNEL, text: 'mine' });

    const echo = fake.echoOf(CHANNEL, String(ts));

    expect(echo).toMatchObject({
      type: 'message',
      user: 'U0BOT',
      bot_id: 'B0BOT',
      channel: CHANNEL,
      ts,
    });
  });

  it('rejects waitFor after its timeout when nothing changes', async () => {
    await expect(fake.waitFor(() => false, 10)).rejects.toThrow('condition not met within 10 ms');
  });
});

describe('fake Slack rate limits', () => {
  let now = 1_700_000_000_000;
  let limited: FakeSlack;

  beforeAll(async () => {
    limited = await startFakeSlack({
      rateLimits: { 'chat.postMessage': { perSecond: 1, burst: 2 } },
      clock: () => now,
    });
  });
  afterAll(() => limited.close());
  afterEach(() => limited.reset());

  it('limits chat.postMessage per channel, with a burst, until the bucket refills', async () => {
    const client = new webApi.WebClient(limited.botToken, {
      slackApiUrl: limited.apiUrl,
      logger: silentSlackLogger,
      rejectRateLimitedCalls: true,
    });
    const post = (channel: string) => client.chat.postMessage({ channel, text: 'hi' });

    await post(CHANNEL);
    await post(CHANNEL);
    const third = await failureOf(post(CHANNEL));
    await post(DM);
    now += 1_000;
    await post(CHANNEL);

    expect(third.code === webApi.ErrorCode.RateLimitedError && third.retryAfter).toBe(1);
    expect(limited.callsTo('chat.postMessage').map((call) => call.status)).toEqual([
      200, 200, 429, 200, 200,
    ]);
  });
});

describe('fake Slack stream expiry', () => {
  it('ends the streaming state of a stream left idle too long', async () => {
    let now = 1_700_000_000_000;
    const idle = await startFakeSlack({ streamIdleMs: 60_000, clock: () => now });
    const client = new webApi.WebClient(idle.botToken, {
      slackApiUrl: idle.apiUrl,
      logger: silentSlackLogger,
    });
    const root = idle.seedMessage({ channel: DM, user: ALICE, text: 'hi' });
    const { ts } = await client.chat.startStream({
      channel: DM,
      thread_ts: root,
      markdown_text: 'a',
    });

    now += 61_000;
    const late = await slackError(
      client.chat.appendStream({ channel: DM, ts: String(ts), markdown_text: 'b' }),
    );
    await idle.close();

    expect(late).toBe('message_not_in_streaming_state');
  });
});

describe('signSlackRequest', () => {
  it("matches Slack's documented example signature", () => {
    // From Slack's "Verifying requests from Slack" guide.
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

    const signature = signSlackRequest(secret, body, 1531420618);

    expect(signature).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });
});
