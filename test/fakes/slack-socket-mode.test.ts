import { webApi } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentSlackLogger } from '../support/sdk-clients.js';
import { DEFAULT_APP_TOKEN, type FakeSlack, startFakeSlack } from './slack/index.js';

const CHANNEL = 'C0GENERAL';
const ALICE = 'U0ALICE';

interface Envelope {
  readonly type: string;
  readonly body: Record<string, unknown>;
  readonly retry_num?: number;
  readonly retry_reason?: string;
  readonly accepts_response_payload?: boolean;
}

type Ack = (response?: Record<string, unknown>) => Promise<void>;

let fake: FakeSlack;
let clients: SocketModeClient[];

beforeEach(async () => {
  fake = await startFakeSlack();
  clients = [];
});
afterEach(async () => {
  await Promise.all(clients.map((client) => client.disconnect()));
  await fake.close();
});

/** The real Socket Mode client, pointed at the fake; `autoReconnectEnabled` off unless asked. */
function socketClient(
  options: { appToken?: string; autoReconnect?: boolean; clientPingTimeout?: number } = {},
): SocketModeClient {
  const client = new SocketModeClient({
    appToken: options.appToken ?? fake.appToken,
    logger: silentSlackLogger,
    autoReconnectEnabled: options.autoReconnect ?? false,
    ...(options.clientPingTimeout === undefined
      ? {}
      : { clientPingTimeout: options.clientPingTimeout }),
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });
  clients.push(client);
  return client;
}

/** The Slack error code a rejected start carries. */
async function startError(client: SocketModeClient): Promise<unknown> {
  const error = await client.start().then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return (error as { data?: { error?: unknown } } | undefined)?.data?.error;
}

function mention(text: string) {
  return fake.userMessage({ channel: CHANNEL, user: ALICE, text, mention: true });
}

describe('fake Slack in Socket Mode, with the real SocketModeClient', () => {
  it('opens a connection with the app-level token and greets it with hello', async () => {
    const client = socketClient();
    const hellos: unknown[] = [];
    client.on('ws_message', (data: unknown) => hellos.push(JSON.parse(String(data))));

    const opened = (await client.start()) as { url?: string };

    expect(fake.appToken).toBe(DEFAULT_APP_TOKEN);
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[\w-]+&app_id=A0PARLEY$/);
    expect(fake.socketConnections).toBe(1);
    expect(fake.callsTo('apps.connections.open')).toMatchObject([{ ok: true }]);
    expect(hellos[0]).toMatchObject({
      type: 'hello',
      num_connections: 1,
      connection_info: { app_id: fake.appId },
    });
  });

  it('refuses a bot token or an unknown token for apps.connections.open', async () => {
    const withBotToken = await startError(socketClient({ appToken: fake.botToken }));
    const withUnknown = await startError(socketClient({ appToken: 'xapp-1-not-ours' }));

    expect(withBotToken).toBe('not_allowed_token_type');
    expect(withUnknown).toBe('invalid_auth');
    expect(fake.socketConnections).toBe(0);
  });

  it('refuses the app-level token for bot methods', async () => {
    const client = new webApi.WebClient(fake.appToken, {
      slackApiUrl: fake.apiUrl,
      logger: silentSlackLogger,
      retryConfig: { retries: 0 },
    });

    const error = await client.auth.test().then(
      () => undefined,
      (reason: { data?: { error?: string } }) => reason.data?.error,
    );

    expect(error).toBe('not_allowed_token_type');
  });

  it('refuses a WebSocket whose ticket it did not issue, and a ticket used twice', async () => {
    const client = socketClient();
    const { url = '' } = (await client.start()) as { url?: string };

    const statuses = await Promise.all([
      upgradeStatus(url.replace(/ticket=[\w-]+/, 'ticket=forged')),
      upgradeStatus(url),
    ]);

    expect(statuses).toEqual([401, 401]);
    expect(fake.socketConnections).toBe(1);
  });

  it('delivers an event in an events_api envelope and records the ack', async () => {
    const client = socketClient();
    const envelopes: Envelope[] = [];
    client.on('slack_event', async (envelope: Envelope & { ack: Ack }) => {
      envelopes.push(envelope);
      await envelope.ack();
    });
    await client.start();
    const event = mention('<@U0BOT> over the socket');

    const result = await fake.sendSocketEvent(event, {
      eventId: 'Ev0SOCKET',
      retryNum: 1,
      retryReason: 'timeout',
    });

    expect(result).toMatchObject({ acked: true, ackPayload: {} });
    expect(envelopes[0]).toMatchObject({
      type: 'events_api',
      retry_num: 1,
      retry_reason: 'timeout',
      accepts_response_payload: false,
      body: {
        type: 'event_callback',
        event_id: 'Ev0SOCKET',
        api_app_id: fake.appId,
        event: { type: 'app_mention', text: '<@U0BOT> over the socket' },
      },
    });
    expect(fake.message(CHANNEL, String(event.ts))?.text).toBe('<@U0BOT> over the socket');
  });

  it('counts an envelope left without an ack as not acked', async () => {
    await fake.close();
    fake = await startFakeSlack({ socketAckTimeoutMs: 50 });
    await socketClient().start();

    const result = await fake.sendSocketEvent(mention('nobody acks this'));

    expect(result.acked).toBe(false);
    expect(result.ackPayload).toBeUndefined();
  });

  it('delivers a slash command whose ack carries a payload, with a response_url at the fake', async () => {
    const client = socketClient();
    const bodies: Envelope[] = [];
    client.on('slash_commands', async (envelope: Envelope & { ack: Ack }) => {
      bodies.push(envelope);
      await envelope.ack({ text: `working on ${String(envelope.body.text)}` });
    });
    await client.start();

    const result = await fake.sendSocketCommand({
      command: '/parley',
      text: 'help',
      user_id: ALICE,
      channel_id: CHANNEL,
    });

    expect(result).toMatchObject({ acked: true, ackPayload: { text: 'working on help' } });
    expect(result.responseUrl.startsWith(fake.url)).toBe(true);
    expect(bodies[0]).toMatchObject({
      accepts_response_payload: true,
      body: {
        command: '/parley',
        text: 'help',
        user_id: ALICE,
        user_name: 'alice',
        channel_id: CHANNEL,
        team_id: fake.teamId,
        response_url: result.responseUrl,
      },
    });
  });

  it('delivers interactions, with a response_url only for those born of a message', async () => {
    const client = socketClient();
    const envelopes: Envelope[] = [];
    client.on('interactive', async (envelope: Envelope & { ack: Ack }) => {
      envelopes.push(envelope);
      const isView = envelope.body.type === 'view_submission';
      await envelope.ack(isView ? { response_action: 'clear' } : undefined);
    });
    await client.start();

    const action = await fake.sendSocketInteraction({ type: 'block_actions', actions: [] });
    const submission = await fake.sendSocketInteraction({ type: 'view_submission', view: {} });

    expect(action).toMatchObject({ acked: true, ackPayload: {} });
    expect(action.responseUrl?.startsWith(fake.url)).toBe(true);
    expect(submission).toMatchObject({ acked: true, ackPayload: { response_action: 'clear' } });
    expect(submission.responseUrl).toBeUndefined();
    expect(envelopes.map((envelope) => envelope.accepts_response_payload)).toEqual([false, true]);
    expect(envelopes[0]?.body).toMatchObject({ response_url: action.responseUrl });
  });

  it('pings every connection, and the client answers with pongs', async () => {
    await fake.close();
    fake = await startFakeSlack({ socketPingIntervalMs: 20 });
    await socketClient().start();

    await fake.waitFor(() => fake.socketPongs >= 2);

    expect(fake.socketPongs).toBeGreaterThanOrEqual(2);
  });

  it('asks for a reconnect with a disconnect message, and the client comes back', async () => {
    const client = socketClient({ autoReconnect: true, clientPingTimeout: 300 });
    await client.start();
    // Until the client has seen the new hello, a disconnect() would reject its pending start().
    const reconnected = new Promise((resolve) => client.once('connected', resolve));

    fake.requestSocketReconnect();
    await reconnected;
    await fake.waitFor(() => fake.socketCloses.length === 1 && fake.socketConnections === 1);

    expect(fake.socketCloses.map((close) => close.code)).toEqual([1000]);
    expect(fake.callsTo('apps.connections.open')).toHaveLength(2);
  });

  it('closes its sockets when it closes', async () => {
    const client = socketClient();
    await client.start();
    const disconnected = new Promise((resolve) => client.once('disconnected', resolve));

    await fake.close();
    await disconnected;

    expect(fake.socketConnections).toBe(0);
  });
});

/** The HTTP status the fake answers a WebSocket upgrade with (101 when it accepts). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      resolve(101);
      socket.close();
    });
    socket.on('error', reject);
  });
}
