import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainMessage, plainText } from '../../support/framing.js';
import { type SlackRig, startSlackRig } from './slack-harness.js';

const GENERAL = 'C0GENERAL';
const DM = 'D0ALICE';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
let rig: SlackRig;

// A fresh Parley, fake Slack and fake Mistral per test: no state leaks between tests.
beforeEach(async () => {
  rig = await startSlackRig();
});
afterEach(() => rig.close());

function botReplies(channel: string, threadTs: string) {
  return rig.slack.messages(channel, threadTs).filter((message) => message.isBot);
}

/** Waits until the bot's streamed reply in the thread has ended. */
async function finishedReply(channel: string, threadTs: string, count = 1) {
  await rig.slack.waitFor(
    () =>
      botReplies(channel, threadTs).filter((message) => message.stream === 'stopped').length >=
      count,
  );
  return botReplies(channel, threadTs);
}

function mentionEvent(text: string, extra: { threadTs?: string; user?: string } = {}) {
  return rig.slack.userMessage({
    channel: GENERAL,
    user: extra.user ?? ALICE,
    text: `<@${rig.slack.botUserId}> ${text}`,
    mention: true,
    ...(extra.threadTs === undefined ? {} : { threadTs: extra.threadTs }),
  });
}

/** The same message as Slack's `message.channels` event (sent alongside app_mention). */
function asChannelMessage(event: Record<string, unknown>) {
  return { ...event, type: 'message', channel_type: 'channel' };
}

describe('Slack adapter', () => {
  it('answers a mention in the thread of that message, streamed', async () => {
    rig.mistral.enqueue({
      kind: 'reply',
      text: 'Hello **Alice**, here is the answer.',
      chunkSize: 4,
    });
    const event = mentionEvent('what is Parley?');

    const delivery = await rig.slack.sendEvent(rig.eventsUrl, event);
    const [reply] = await finishedReply(GENERAL, String(event.ts));

    expect(delivery.acked).toBe(true);
    expect(reply?.text).toBe('Hello **Alice**, here is the answer.');
    expect(rig.slack.callsTo('chat.startStream')[0]?.args).toMatchObject({
      channel: GENERAL,
      thread_ts: event.ts,
      recipient_team_id: rig.slack.teamId,
      recipient_user_id: ALICE,
    });
    expect(rig.slack.statuses[0]).toMatchObject({ channel: GENERAL, threadTs: event.ts });
    expect(rig.mistral.completions[0]?.messages.map(plainMessage)).toEqual([
      { role: 'user', content: 'Alice: what is Parley?' },
    ]);
  });

  it('answers once although Slack delivers the mention three times', async () => {
    const event = mentionEvent('only once please');

    const deliveries = await Promise.all([
      rig.slack.sendEvent(rig.eventsUrl, event, { eventId: 'Ev1' }),
      rig.slack.sendEvent(rig.eventsUrl, asChannelMessage(event), { eventId: 'Ev2' }),
      rig.slack.sendEvent(rig.eventsUrl, event, {
        eventId: 'Ev1',
        retryNum: 1,
        retryReason: 'http_timeout',
      }),
    ]);
    await finishedReply(GENERAL, String(event.ts));
    await settleWithMarker();

    expect(deliveries.every((delivery) => delivery.acked)).toBe(true);
    expect(
      rig.mistral.completions.filter((call) => textOf(call.messages).includes('only once')),
    ).toHaveLength(1);
    expect(botReplies(GENERAL, String(event.ts))).toHaveLength(1);
  });

  it('continues a thread it is part of without a new mention', async () => {
    rig.mistral.setResponder((request) => ({
      kind: 'reply',
      text: `reply to ${request.messages.length} lines`,
    }));
    const first = mentionEvent('first question');
    await rig.slack.sendEvent(rig.eventsUrl, first);
    await finishedReply(GENERAL, String(first.ts));

    const followUp = rig.slack.userMessage({
      channel: GENERAL,
      user: BOB,
      text: 'and a follow-up',
      threadTs: String(first.ts),
    });
    await rig.slack.sendEvent(rig.eventsUrl, followUp);
    const replies = await finishedReply(GENERAL, String(first.ts), 2);

    expect(replies.map((reply) => reply.text)).toEqual(['reply to 1 lines', 'reply to 3 lines']);
    expect(plainMessage(rig.mistral.completions[1]?.messages.at(-1) ?? { content: '' })).toEqual({
      role: 'user',
      content: 'Bob: and a follow-up',
    });
  });

  it('stays out of threads it is not part of', async () => {
    const root = rig.slack.seedMessage({ channel: GENERAL, user: BOB, text: 'a human thread' });
    await rig.slack.sendEvent(
      rig.eventsUrl,
      rig.slack.userMessage({ channel: GENERAL, user: ALICE, text: 'reply', threadTs: root }),
    );

    await settleWithMarker();

    expect(rig.mistral.completions).toHaveLength(1);
    expect(botReplies(GENERAL, root)).toHaveLength(0);
  });

  it('ignores its own messages, other bots, edits and joins', async () => {
    const event = mentionEvent('say something');
    await rig.slack.sendEvent(rig.eventsUrl, event);
    const [reply] = await finishedReply(GENERAL, String(event.ts));
    const thread = { channel: GENERAL, thread_ts: event.ts, channel_type: 'channel' };

    await rig.slack.sendEvent(rig.eventsUrl, rig.slack.echoOf(GENERAL, reply?.ts ?? ''));
    await rig.slack.sendEvent(rig.eventsUrl, {
      ...thread,
      type: 'message',
      ts: '1800000000.000001',
      text: 'beep',
      bot_id: 'B9',
      subtype: 'bot_message',
    });
    await rig.slack.sendEvent(rig.eventsUrl, {
      ...thread,
      type: 'message',
      subtype: 'message_changed',
      ts: '1800000000.000002',
      message: { text: 'edited' },
    });
    await rig.slack.sendEvent(rig.eventsUrl, {
      ...thread,
      type: 'message',
      subtype: 'channel_join',
      user: BOB,
      ts: '1800000000.000003',
      text: 'joined',
    });
    await settleWithMarker();

    expect(rig.mistral.completions).toHaveLength(2);
  });

  it('answers a DM privately, streamed without recipient ids', async () => {
    rig.mistral.enqueue({ kind: 'reply', text: 'private answer' });
    const event = rig.slack.userMessage({ channel: DM, user: ALICE, text: 'just between us' });

    await rig.slack.sendEvent(rig.eventsUrl, event);
    const [reply] = await finishedReply(DM, String(event.ts));

    expect(reply?.text).toBe('private answer');
    expect(rig.slack.callsTo('chat.startStream')[0]?.args).not.toHaveProperty('recipient_user_id');
    expect(rig.mistral.completions[0]?.messages).toEqual([
      { role: 'user', content: 'just between us' },
    ]);
  });

  it('resolves mentions of people to their names for the agent', async () => {
    const event = mentionEvent(`ask <@${BOB}> about it`);

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await finishedReply(GENERAL, String(event.ts));

    expect(plainText(textOf(rig.mistral.completions[0]?.messages ?? []))).toBe(
      'Alice: ask @Bob about it',
    );
  });

  it('reads the thread so far when mentioned mid-thread', async () => {
    const root = rig.slack.seedMessage({
      channel: GENERAL,
      user: BOB,
      text: 'Shall we use Redis?',
    });
    rig.slack.seedMessage({
      channel: GENERAL,
      user: ALICE,
      text: 'Maybe Postgres',
      threadTs: root,
    });
    const event = mentionEvent('what do you think?', { threadTs: root });

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await finishedReply(GENERAL, root);

    expect(rig.mistral.completions[0]?.messages.map(plainMessage)).toEqual([
      {
        role: 'user',
        content: 'Bob: Shall we use Redis?\n\nAlice: Maybe Postgres\n\nAlice: what do you think?',
      },
    ]);
  });

  it('answers two messages in one thread in order, the second seeing the first answer', async () => {
    rig.mistral.setResponder((request) => ({
      kind: 'reply',
      text: `answer to: ${plainText(textOf(request.messages.slice(-1)))}`,
      chunkSize: 3,
    }));
    const root = mentionEvent('start');
    await rig.slack.sendEvent(rig.eventsUrl, root);
    await finishedReply(GENERAL, String(root.ts));
    const one = rig.slack.userMessage({
      channel: GENERAL,
      user: ALICE,
      text: 'one',
      threadTs: String(root.ts),
    });
    const two = rig.slack.userMessage({
      channel: GENERAL,
      user: BOB,
      text: 'two',
      threadTs: String(root.ts),
    });

    await Promise.all([
      rig.slack.sendEvent(rig.eventsUrl, one),
      rig.slack.sendEvent(rig.eventsUrl, two),
    ]);
    const replies = await finishedReply(GENERAL, String(root.ts), 3);

    expect(replies.map((reply) => reply.text)).toEqual([
      'answer to: Alice: start',
      'answer to: Alice: one',
      'answer to: Bob: two',
    ]);
    const second = rig.mistral.completions[2]?.messages ?? [];
    expect(second.map((message) => message.content)).toContain('answer to: Alice: one');
  });

  it('delivers a 45,000-character answer with code blocks whole, each message within limits', async () => {
    const answer = longAnswer(45_000);
    rig.mistral.enqueue({ kind: 'reply', text: answer, chunkSize: 700 });
    const event = mentionEvent('write me a long one');

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() => rig.mistral.completions.length === 1);
    await rig.slack.waitFor(() => {
      const replies = botReplies(GENERAL, String(event.ts));
      return (
        replies.length > 1 &&
        replies.every((reply) => reply.stream === 'stopped') &&
        joined(replies).length >= 44_000
      );
    }, 20_000);
    const replies = botReplies(GENERAL, String(event.ts));

    for (const reply of replies) {
      expect(reply.text.length).toBeLessThanOrEqual(12_000);
      expect(fenceCount(reply.text) % 2).toBe(0);
    }
    expect(contentLines(joined(replies))).toEqual(contentLines(answer));
  });

  it('tells the person in one short message when the agent cannot answer, without secrets', async () => {
    rig.mistral.enqueue({ kind: 'status', status: 503, message: 'upstream down' });
    const event = mentionEvent('are you there?');

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() => botReplies(GENERAL, String(event.ts)).length === 1);
    const [notice] = botReplies(GENERAL, String(event.ts));

    expect(notice?.text).toMatch(/unavailable/i);
    expect(notice?.text).not.toMatch(/Error|at .*\.ts|upstream/);
    for (const secret of [rig.mistralKey, rig.slack.botToken, rig.slack.signingSecret]) {
      expect(rig.logs()).not.toContain(secret);
      expect(JSON.stringify(rig.slack.calls)).not.toContain(secret);
    }
  });

  it('falls back to posting and editing when Slack refuses chat streaming', async () => {
    rig.slack.failNext('chat.startStream', 'not_allowed_token_type');
    rig.mistral.enqueue({
      kind: 'reply',
      text: 'Use **bold** and [a link](https://example.com).',
      chunkSize: 5,
    });
    const event = mentionEvent('no streaming here');

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() =>
      botReplies(GENERAL, String(event.ts)).some((reply) => reply.text.includes('example.com')),
    );
    const [reply] = botReplies(GENERAL, String(event.ts));

    expect(reply?.text).toContain('*bold*');
    expect(reply?.text).toContain('<https://example.com|a link>');
    expect(reply?.stream).toBe('none');
  });

  it('shows a placeholder and edits it where the assistant status is not available', async () => {
    rig.slack.failNext('assistant.threads.setStatus', 'not_allowed');
    rig.mistral.enqueue({ kind: 'reply', text: 'edited into place' });
    const event = mentionEvent('placeholder please');

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(
      () => botReplies(GENERAL, String(event.ts))[0]?.text === 'edited into place',
    );
    const [reply] = botReplies(GENERAL, String(event.ts));

    expect(reply?.edits).toBeGreaterThanOrEqual(1);
    expect(rig.slack.callsTo('chat.postMessage')[0]?.args.text).toBe('_Thinking…_');
  });

  it('waits out a 429 on a post and posts once', async () => {
    rig.slack.failNext('assistant.threads.setStatus', 'not_allowed');
    rig.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    rig.mistral.enqueue({ kind: 'reply', text: 'after the wait' });
    const event = mentionEvent('rate limit me');

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(
      () => botReplies(GENERAL, String(event.ts))[0]?.text === 'after the wait',
      10_000,
    );

    expect(botReplies(GENERAL, String(event.ts))).toHaveLength(1);
    expect(rig.slack.callsTo('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
  });

  it('does not retry a post that failed for any reason but a 429', async () => {
    rig.slack.failNext('assistant.threads.setStatus', 'not_allowed');
    rig.slack.failNext('chat.postMessage', { status: 500 });
    const event = mentionEvent('flaky Slack');

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() => botReplies(GENERAL, String(event.ts)).length === 1);

    const posts = rig.slack.callsTo('chat.postMessage');
    expect(posts.map((call) => call.status)).toEqual([500, 200]);
    expect(posts[1]?.args.text).not.toBe(posts[0]?.args.text);
    expect(rig.mistral.completions).toHaveLength(0);
  });

  it('posts persona replies under their own name and icon', async () => {
    const event = mentionEvent('set the stage');
    await rig.slack.sendEvent(rig.eventsUrl, event);
    await finishedReply(GENERAL, String(event.ts));

    const sink = rig.adapter.personaSink(GENERAL, String(event.ts), {
      name: 'Socrates',
      avatarUrl: 'https://example.com/s.png',
    });
    await sink.start();
    await sink.append('I know that I know nothing.');
    await sink.finish();

    const line = botReplies(GENERAL, String(event.ts)).at(-1);
    expect(line).toMatchObject({
      username: 'Socrates',
      iconUrl: 'https://example.com/s.png',
      text: 'I know that I know nothing.',
    });
  });

  it('rejects events with a bad signature and answers none of them', async () => {
    const event = mentionEvent('forged');

    const delivery = await rig.slack.sendEvent(rig.eventsUrl, event, { badSignature: true });
    const stale = await rig.slack.sendEvent(rig.eventsUrl, event, { staleTimestamp: true });
    await settleWithMarker();

    expect([delivery.status, stale.status]).toEqual([401, 401]);
    expect(rig.mistral.completions).toHaveLength(1);
  });

  it('reports Slack as connected on /healthz', async () => {
    const response = await fetch(`${rig.baseUrl}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: true,
      platforms: { slack: { state: 'connected' } },
    });
  });
});

describe('Slack commands', () => {
  // Alice changes channel settings here as a workspace admin; slack-access.test.ts has the rest.
  beforeEach(() => {
    rig.slack.addUser({
      id: ALICE,
      name: 'alice',
      realName: 'Alice Martin',
      displayName: 'Alice',
      isAdmin: true,
    });
  });

  it('/parley help answers privately with the commands and roster', async () => {
    const result = await command('/parley', 'help');
    await rig.slack.waitFor(() => rig.slack.responses.length === 1);

    expect(result.status).toBe(200);
    expect(rig.slack.responses[0]?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(rig.slack.responses[0]?.body)).toContain('other');
  });

  it('/parley agent shows the channel agent, and sets it from the roster', async () => {
    await command('/parley', 'agent');
    await command('/parley', 'agent other');
    await rig.slack.waitFor(() => rig.slack.responses.length === 2);
    const event = mentionEvent('who answers now?');
    await rig.slack.sendEvent(rig.eventsUrl, event);
    await finishedReply(GENERAL, String(event.ts));

    const texts = rig.slack.responses.map((response) => JSON.stringify(response.body));
    expect(texts[0]).toContain(rig.agent);
    expect(rig.slack.responses[1]?.body).toMatchObject({ response_type: 'in_channel' });
    expect(rig.mistral.completions[0]?.agentId).toBe(rig.otherAgent);
    await command('/parley', `agent ${rig.agent}`);
  });

  it('/parley agent with an unknown name changes nothing and says so', async () => {
    await command('/parley', 'agent nobody');
    await rig.slack.waitFor(() => rig.slack.responses.length === 1);

    expect(JSON.stringify(rig.slack.responses[0]?.body)).toContain('I don’t know an agent called');
    expect(rig.slack.responses[0]?.body).toMatchObject({ response_type: 'ephemeral' });
  });

  it('/parley agent with an agent id Mistral does not know changes nothing and says so', async () => {
    await command('/parley', 'agent ag:ghost:agent');
    await rig.slack.waitFor(() => rig.slack.responses.length === 1);
    const event = mentionEvent('who answers now?');
    await rig.slack.sendEvent(rig.eventsUrl, event);
    await finishedReply(GENERAL, String(event.ts));

    expect(JSON.stringify(rig.slack.responses[0]?.body)).toContain('has no agent `ag:ghost:agent`');
    expect(rig.slack.responses[0]?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(rig.mistral.completions[0]?.agentId).toBe(rig.agent);
  });

  it('a mention with "reset" forgets the thread', async () => {
    rig.mistral.setResponder((request) => ({
      kind: 'reply',
      text: `saw ${request.messages.length}`,
    }));
    const root = mentionEvent('remember this');
    await rig.slack.sendEvent(rig.eventsUrl, root);
    await finishedReply(GENERAL, String(root.ts));

    await rig.slack.sendEvent(rig.eventsUrl, mentionEvent('reset', { threadTs: String(root.ts) }));
    await rig.slack.waitFor(() =>
      botReplies(GENERAL, String(root.ts)).some((reply) => reply.text.includes('reset')),
    );
    await rig.slack.sendEvent(
      rig.eventsUrl,
      mentionEvent('fresh start', { threadTs: String(root.ts) }),
    );
    await finishedReply(GENERAL, String(root.ts), 2);

    expect(rig.mistral.completions.at(-1)?.messages).toHaveLength(1);
  });
});

describe('Slack adapter: conversations people can trust', () => {
  const sentTexts = (index: number) => JSON.stringify(rig.mistral.completions[index]?.messages);

  it('after a reset, answers follow-ups without a mention and never sends what was said before', async () => {
    const root = mentionEvent('remember the word pineapple');
    const rootTs = String(root.ts);
    await rig.slack.sendEvent(rig.eventsUrl, root);
    await finishedReply(GENERAL, rootTs);
    const inThread = (text: string) =>
      rig.slack.userMessage({ channel: GENERAL, user: ALICE, text, threadTs: rootTs });
    await rig.slack.sendEvent(rig.eventsUrl, inThread('and the colour teal'));
    await finishedReply(GENERAL, rootTs, 2);

    await rig.slack.sendEvent(rig.eventsUrl, mentionEvent('reset', { threadTs: rootTs }));
    await rig.slack.waitFor(() =>
      botReplies(GENERAL, rootTs).some((reply) => reply.text.includes('Conversation reset')),
    );
    await rig.slack.sendEvent(rig.eventsUrl, inThread('what did I ask you to remember?'));
    await finishedReply(GENERAL, rootTs, 3);

    expect(rig.mistral.completions).toHaveLength(3);
    expect(sentTexts(2)).toContain('what did I ask you to remember?');
    expect(sentTexts(2)).not.toContain('pineapple');
    expect(sentTexts(2)).not.toContain('teal');
  });

  it('says what /parley reset can and cannot reset, since Slack sends no thread with a command', async () => {
    await command('/parley', 'reset');
    await rig.slack.waitFor(() => rig.slack.responses.length === 1);

    expect(JSON.stringify(rig.slack.responses[0]?.body)).toContain('nothing was reset');
    expect(JSON.stringify(rig.slack.responses[0]?.body)).toContain('@Parley reset');
  });

  it('leaves a message the agent refused out of the thread, and answers the next one', async () => {
    rig.mistral.enqueue({ kind: 'status', status: 400, message: 'bad input' });
    const root = mentionEvent('a message Mistral rejects');
    const rootTs = String(root.ts);
    await rig.slack.sendEvent(rig.eventsUrl, root);
    await rig.slack.waitFor(() => botReplies(GENERAL, rootTs).length === 1);

    await rig.slack.sendEvent(
      rig.eventsUrl,
      rig.slack.userMessage({
        channel: GENERAL,
        user: ALICE,
        text: 'try this instead',
        threadTs: rootTs,
      }),
    );
    await rig.slack.waitFor(() =>
      botReplies(GENERAL, rootTs).some(
        (reply) => reply.stream === 'stopped' && reply.text.includes('try this instead'),
      ),
    );

    expect(botReplies(GENERAL, rootTs)[0]?.text).toContain('left it out');
    expect(sentTexts(1)).toContain('try this instead');
    expect(sentTexts(1)).not.toContain('Mistral rejects');
  });
});

/** Alice types a slash command in #general. */
function command(name: string, text: string) {
  return rig.slack.sendSlashCommand(rig.eventsUrl, {
    command: name,
    text,
    user_id: ALICE,
    channel_id: GENERAL,
  });
}

/** Sends one answered DM and waits for its reply: every event sent before it has been handled. */
async function settleWithMarker(): Promise<void> {
  const marker = rig.slack.userMessage({ channel: DM, user: ALICE, text: 'marker' });
  await rig.slack.sendEvent(rig.eventsUrl, marker);
  await finishedReply(DM, String(marker.ts));
}

function textOf(messages: readonly { content: unknown }[]): string {
  return messages.map((message) => String(message.content)).join('\n');
}

function longAnswer(size: number): string {
  const parts: string[] = [];
  for (let index = 0; parts.join('\n\n').length < size; index += 1) {
    parts.push(
      index % 3 === 2
        ? `\`\`\`ts\n${Array.from({ length: 40 }, (_, line) => `const value${index}_${line} = ${line};`).join('\n')}\n\`\`\``
        : `Paragraph ${index}: ${'lorem ipsum dolor sit amet '.repeat(20).trim()}.`,
    );
  }
  return parts.join('\n\n');
}

function joined(replies: readonly { text: string }[]): string {
  return replies.map((reply) => reply.text).join('\n');
}

function fenceCount(text: string): number {
  return text.split('\n').filter((line) => line.trim().startsWith('```')).length;
}

/** The answer's lines without fences and blank lines: what must arrive, in order. */
function contentLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('```'));
}
