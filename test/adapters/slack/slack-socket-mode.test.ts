import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SlackRig, startSlackRig } from './slack-harness.js';

const GENERAL = 'C0GENERAL';
const DM = 'D0ALICE';
const ALICE = 'U0ALICE';
let rig: SlackRig;

// Parley in Socket Mode: SLACK_APP_TOKEN set, no signing secret, every event over the fake's socket.
beforeEach(async () => {
  rig = await startSlackRig({ socketMode: true });
});
afterEach(() => rig.close());

function botReplies(channel: string, threadTs: string) {
  return rig.slack.messages(channel, threadTs).filter((message) => message.isBot);
}

/** Waits until the bot's streamed reply in the thread has ended. */
async function finishedReply(channel: string, threadTs: string) {
  await rig.slack.waitFor(() =>
    botReplies(channel, threadTs).some((message) => message.stream === 'stopped'),
  );
  return botReplies(channel, threadTs);
}

function mentionEvent(text: string) {
  return rig.slack.userMessage({
    channel: GENERAL,
    user: ALICE,
    text: `<@${rig.slack.botUserId}> ${text}`,
    mention: true,
  });
}

/** The text the bot streamed, start to stop: however the deltas were batched into appends. */
function streamedText(): string {
  return ['chat.startStream', 'chat.appendStream', 'chat.stopStream']
    .flatMap((method) => rig.slack.callsTo(method))
    .filter((call) => call.ok)
    .map((call) => String(call.args.markdown_text ?? ''))
    .join('');
}

/** Sends one answered DM and waits for its reply: every envelope sent before it has been handled. */
async function settleWithMarker(): Promise<void> {
  const marker = rig.slack.userMessage({ channel: DM, user: ALICE, text: 'marker' });
  await rig.slack.sendSocketEvent(marker);
  await finishedReply(DM, String(marker.ts));
}

describe('Slack adapter in Socket Mode', () => {
  it('connects with the app-level token and reports itself connected', async () => {
    await rig.slack.waitForSocket();

    expect(rig.slack.socketConnections).toBe(1);
    expect(rig.slack.callsTo('apps.connections.open')).toMatchObject([{ ok: true }]);
    expect(rig.adapter.status()).toEqual({ state: 'connected' });
    expect(rig.logs()).not.toContain(rig.slack.appToken);
  });

  it('acks a mention sent over the socket and answers it once in its thread, streamed', async () => {
    rig.mistral.enqueue({ kind: 'reply', text: 'Hello **Alice**, over the socket.', chunkSize: 4 });
    const event = mentionEvent('what is Socket Mode?');

    const delivery = await rig.slack.sendSocketEvent(event);
    const replies = await finishedReply(GENERAL, String(event.ts));

    expect(delivery.acked).toBe(true);
    expect(replies.map((reply) => reply.text)).toEqual(['Hello **Alice**, over the socket.']);
    expect(rig.slack.callsTo('chat.startStream')[0]?.args).toMatchObject({
      channel: GENERAL,
      thread_ts: event.ts,
      recipient_user_id: ALICE,
    });
    expect(streamedText()).toBe('Hello **Alice**, over the socket.');
    expect(rig.slack.callsTo('chat.stopStream')).toHaveLength(1);
  });

  it('answers a DM sent over the socket', async () => {
    rig.mistral.enqueue({ kind: 'reply', text: 'private answer' });
    const event = rig.slack.userMessage({ channel: DM, user: ALICE, text: 'just between us' });

    const delivery = await rig.slack.sendSocketEvent(event);
    const [reply] = await finishedReply(DM, String(event.ts));

    expect(delivery.acked).toBe(true);
    expect(reply?.text).toBe('private answer');
    expect(rig.mistral.completions[0]?.messages).toEqual([
      { role: 'user', content: 'just between us' },
    ]);
  });

  it('answers /parley help sent over the socket through its response_url', async () => {
    const delivery = await rig.slack.sendSocketCommand({
      command: '/parley',
      text: 'help',
      user_id: ALICE,
      channel_id: GENERAL,
    });
    await rig.slack.waitFor(() => rig.slack.responses.length === 1);

    expect(delivery.acked).toBe(true);
    expect(rig.slack.responses[0]).toMatchObject({
      responseUrl: delivery.responseUrl,
      status: 200,
      body: { response_type: 'ephemeral' },
    });
    expect(JSON.stringify(rig.slack.responses[0]?.body)).toContain('other');
  });

  it('answers once when the message comes as both app_mention and message', async () => {
    const event = mentionEvent('only once please');
    const asMessage = { ...event, type: 'message', channel_type: 'channel' };

    const deliveries = await Promise.all([
      rig.slack.sendSocketEvent(event, { eventId: 'Ev1' }),
      rig.slack.sendSocketEvent(asMessage, { eventId: 'Ev2' }),
    ]);
    await finishedReply(GENERAL, String(event.ts));
    await settleWithMarker();

    expect(deliveries.every((delivery) => delivery.acked)).toBe(true);
    const asked = rig.mistral.completions.filter((call) =>
      call.messages.some((message) => String(message.content).includes('only once')),
    );
    expect(asked).toHaveLength(1);
    expect(botReplies(GENERAL, String(event.ts))).toHaveLength(1);
  });

  it('has closed its socket with a normal closure by the time stop() resolves', async () => {
    await rig.adapter.stop();
    // Whatever is still open now is cut (code 1006): a finished close handshake keeps its 1000.
    await rig.slack.close();
    await rig.slack.waitFor(() => rig.slack.socketCloses.length === 1);

    expect(rig.slack.socketCloses.map((close) => close.code)).toEqual([1000]);
    expect(rig.slack.socketConnections).toBe(0);
    expect(rig.adapter.status()).toEqual({ state: 'disconnected' });
  });
});
