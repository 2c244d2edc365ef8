import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliveryClaim } from '../../../src/core/dispatcher.js';
import type { ThreadRef } from '../../../src/core/model.js';
import { refusalsOf } from '../../support/access.js';
import { redisStores } from '../../support/redis-stores.js';
import { pressStop, type SlackRig, startSlackRig } from './slack-harness.js';

const GENERAL = 'C0GENERAL';
const RANDOM = 'C0RANDOM';
const DM = 'D0ALICE';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
let rig: SlackRig;

/** A Parley with these access settings, on the test Redis (conversations, plays, rate limits). */
async function start(env: Record<string, string>): Promise<SlackRig> {
  rig = await startSlackRig({ ...redisStores(), env });
  rig.slack.addChannel({ id: RANDOM, name: 'random' });
  return rig;
}
afterEach(() => rig.close());

function mention(text: string, user = ALICE, channel = GENERAL) {
  return rig.slack.userMessage({
    channel,
    user,
    text: `<@${rig.slack.botUserId}> ${text}`,
    mention: true,
  });
}

function dm(text: string) {
  return rig.slack.userMessage({ channel: DM, user: ALICE, text });
}

function botReplies(channel: string, threadTs: string) {
  return rig.slack.messages(channel, threadTs).filter((message) => message.isBot);
}

async function answered(channel: string, threadTs: string, count = 1): Promise<void> {
  await rig.slack.waitFor(
    () =>
      botReplies(channel, threadTs).filter((message) => message.stream === 'stopped').length >=
      count,
  );
}

/** What Parley stored about a message's thread: nothing, for a refused one. */
async function stateOf(event: Record<string, unknown>) {
  const channel = String(event.channel);
  const ts = String(event.ts);
  const thread: ThreadRef = {
    platform: 'slack',
    workspace: rig.slack.teamId,
    channel,
    thread: ts,
  };
  const claim = deliveryClaim(`slack:${rig.slack.teamId}:${channel}:${ts}`);
  return {
    history: await rig.core.store.history(thread),
    isJoined: (await rig.core.store.threadState(thread)).isJoined,
    isClaimed: await rig.core.store.isClaimed(claim),
  };
}

/** Sends an answered DM from Bob's side: every event sent before it has been handled. */
async function settle(): Promise<void> {
  const marker = mention('marker', BOB, RANDOM);
  await rig.slack.sendEvent(rig.eventsUrl, marker);
  await answered(RANDOM, String(marker.ts));
}

const refusals = (): Promise<string> => refusalsOf(rig.core);

function command(name: string, text: string, user = ALICE, channel = GENERAL) {
  return rig.slack.sendSlashCommand(rig.eventsUrl, {
    command: name,
    text,
    user_id: user,
    channel_id: channel,
  });
}

/** The text of the answer to the `index`-th slash command. */
async function response(index: number) {
  await rig.slack.waitFor(() => rig.slack.responses.length > index);
  return rig.slack.responses[index]?.body ?? {};
}

describe('Slack access: who may talk to agents, where', () => {
  it('answers nothing in a channel that is not allowed, stores nothing, and notes it once', async () => {
    await start({ ALLOWED_CHANNELS: RANDOM });
    const first = mention('are you there?');
    const second = mention('hello?');

    await rig.slack.sendEvent(rig.eventsUrl, first);
    await rig.slack.sendEvent(rig.eventsUrl, {
      ...first,
      type: 'message',
      channel_type: 'channel',
    });
    await rig.slack.sendEvent(rig.eventsUrl, second);
    await settle();

    expect(rig.mistral.completions.map((call) => call.messages.length)).toEqual([1]);
    expect(botReplies(GENERAL, String(first.ts))).toEqual([]);
    expect(rig.slack.statuses.filter((status) => status.channel === GENERAL)).toEqual([]);
    expect(await stateOf(first)).toEqual({ history: [], isJoined: false, isClaimed: false });
    expect(await stateOf(second)).toEqual({ history: [], isJoined: false, isClaimed: false });
    expect(rig.slack.ephemerals).toHaveLength(1);
    expect(rig.slack.ephemerals[0]).toMatchObject({ channel: GENERAL, user: ALICE });
    expect(rig.slack.ephemerals[0]?.text).toContain('not enabled in this channel');
    expect(await refusals()).toBe('parley_refused_total{reason="channel"} 2');
  });

  it('answers an allowed user and only notes to one who is not', async () => {
    await start({ ALLOWED_USERS: BOB });
    const fromAlice = mention('may I?');
    const fromBob = mention('and I?', BOB);

    await rig.slack.sendEvent(rig.eventsUrl, fromAlice);
    await rig.slack.sendEvent(rig.eventsUrl, fromBob);
    await answered(GENERAL, String(fromBob.ts));

    expect(rig.mistral.completions).toHaveLength(1);
    expect(await stateOf(fromAlice)).toEqual({ history: [], isJoined: false, isClaimed: false });
    expect(rig.slack.ephemerals.map((note) => [note.user, note.text])).toEqual([
      [ALICE, expect.stringContaining('not enabled for you')],
    ]);
    expect(await refusals()).toBe('parley_refused_total{reason="user"} 1');
  });

  it('takes no DM with ALLOW_DMS=false, and says so once', async () => {
    await start({ ALLOW_DMS: 'false' });
    const first = dm('psst');

    await rig.slack.sendEvent(rig.eventsUrl, first);
    await rig.slack.sendEvent(rig.eventsUrl, dm('psst again'));
    await settle();

    expect(rig.mistral.completions).toHaveLength(1);
    expect(rig.slack.messages(DM).filter((message) => message.isBot)).toEqual([]);
    expect(await stateOf(first)).toEqual({ history: [], isJoined: false, isClaimed: false });
    expect(rig.slack.ephemerals.map((note) => [note.channel, note.text])).toEqual([
      [DM, expect.stringContaining('does not take direct messages')],
    ]);
  });

  it('serves only the listed workspaces', async () => {
    await start({ ALLOWED_WORKSPACES: 'T0ELSEWHERE' });
    const event = mention('anyone?');

    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() => rig.slack.ephemerals.length === 1);

    expect(rig.slack.ephemerals[0]?.text).toContain('not enabled in this workspace');
    expect(rig.mistral.completions).toEqual([]);
    expect(await stateOf(event)).toEqual({ history: [], isJoined: false, isClaimed: false });
  });

  it('notes nothing for replies in threads Parley is not part of', async () => {
    await start({ ALLOWED_CHANNELS: RANDOM });
    const root = rig.slack.seedMessage({ channel: GENERAL, user: BOB, text: 'lunch?' });

    await rig.slack.sendEvent(
      rig.eventsUrl,
      rig.slack.userMessage({ channel: GENERAL, user: ALICE, text: 'yes', threadTs: root }),
    );
    await settle();

    expect(rig.slack.ephemerals).toEqual([]);
    expect(await refusals()).toBe('');
  });

  it('answers slash commands privately where Parley is not enabled', async () => {
    await start({ ALLOWED_CHANNELS: RANDOM });

    await command('/parley', 'agent other');
    const parley = await response(0);
    await command('/roleplay', 'main other 2 tea');
    const roleplay = await response(1);

    expect(parley).toMatchObject({ response_type: 'ephemeral' });
    expect(String(parley.text)).toContain('not enabled in this channel');
    expect(roleplay).toMatchObject({ response_type: 'ephemeral' });
    expect(String(roleplay.text)).toContain('not enabled in this channel');
    expect(rig.slack.messages(GENERAL).filter((message) => message.isBot)).toEqual([]);
  });
});

describe('Slack access: settings are for admins', () => {
  async function agentAnswering(channel: string, user: string): Promise<string | undefined> {
    const before = rig.mistral.completions.length;
    const event = channel === DM ? dm('who answers?') : mention('who answers?', user, channel);
    await rig.slack.sendEvent(rig.eventsUrl, event);
    await rig.slack.waitFor(() => rig.mistral.completions.length > before);
    return rig.mistral.completions.at(-1)?.agentId;
  }

  it('refuses a non-admin the channel agent, with who may; lets a workspace admin set it', async () => {
    await start({});
    rig.slack.addUser({ id: ALICE, name: 'alice', displayName: 'Alice', isAdmin: true });

    await command('/parley', 'agent other', BOB);
    const refused = await response(0);
    const unchanged = await agentAnswering(GENERAL, BOB);
    await command('/parley', 'agent other', ALICE);
    const changed = await response(1);

    expect(refused).toMatchObject({ response_type: 'ephemeral' });
    expect(String(refused.text)).toContain('Only workspace admins and owners');
    expect(unchanged).toBe(rig.agent);
    expect(changed).toMatchObject({ response_type: 'in_channel' });
    expect(await agentAnswering(GENERAL, BOB)).toBe(rig.otherAgent);
    expect(await refusals()).toBe('parley_refused_total{reason="not_admin"} 1');
  });

  it('counts workspace owners and ADMIN_USERS as admins', async () => {
    await start({ ADMIN_USERS: BOB });
    rig.slack.addUser({ id: ALICE, name: 'alice', displayName: 'Alice', isOwner: true });

    await command('/parley', 'agent other', BOB);
    const byAdminUser = await response(0);
    await command('/parley', 'agent main', ALICE);
    const byOwner = await response(1);

    expect(byAdminUser).toMatchObject({ response_type: 'in_channel' });
    expect(byOwner).toMatchObject({ response_type: 'in_channel' });
  });

  it('lets anyone pick a roster agent for their own DM, but not a raw agent id', async () => {
    await start({});

    await command('/parley', 'agent other', ALICE, DM);
    const picked = await response(0);
    await command('/parley', 'agent ag:slack:unlisted', ALICE, DM);
    const raw = await response(1);

    expect(String(picked.text)).toContain('now talks to');
    expect(String(raw.text)).toContain('Agent ids are for workspace admins and owners');
    expect(raw).toMatchObject({ response_type: 'ephemeral' });
    expect(await agentAnswering(DM, ALICE)).toBe(rig.otherAgent);
  });
});

describe('Slack access: USER_RATE_LIMIT', () => {
  it('refuses the third message under 2/h with one notice and no agent call, while others are answered', async () => {
    await start({ USER_RATE_LIMIT: '2/h' });
    const asks = [mention('one'), mention('two'), mention('three'), mention('four')];

    for (const ask of asks.slice(0, 2)) {
      await rig.slack.sendEvent(rig.eventsUrl, ask);
      await rig.slack.sendEvent(rig.eventsUrl, {
        ...ask,
        type: 'message',
        channel_type: 'channel',
      });
      await answered(GENERAL, String(ask.ts));
    }
    for (const ask of asks.slice(2)) await rig.slack.sendEvent(rig.eventsUrl, ask);
    const fromBob = mention('my turn', BOB);
    await rig.slack.sendEvent(rig.eventsUrl, fromBob);
    await answered(GENERAL, String(fromBob.ts));

    expect(rig.mistral.completions).toHaveLength(3);
    expect(botReplies(GENERAL, String(asks[2]?.ts))).toEqual([]);
    expect(rig.slack.ephemerals.map((note) => [note.user, note.threadTs])).toEqual([
      [ALICE, asks[2]?.ts],
    ]);
    expect(rig.slack.ephemerals[0]?.text).toMatch(
      /limit of 2 agent requests per hour.*ask again in (59|60) minutes/,
    );
    expect(await stateOf(asks[2] ?? {})).toMatchObject({ history: [], isClaimed: false });
    expect(await refusals()).toBe('parley_refused_total{reason="rate_limit"} 2');
  });
});

describe('Slack access: role-plays per person', () => {
  const announcements = () =>
    rig.slack.messages(GENERAL).filter((message) => message.isBot && message.text.startsWith('🎭'));

  it('refuses a play past ROLEPLAY_MAX_PER_USER with the count, before announcing it', async () => {
    await start({ ROLEPLAY_MAX_PER_USER: '1' });
    rig.mistral.enqueue({ kind: 'hang' });
    await command('/roleplay', 'main other 4 tea');
    await vi.waitFor(() => expect(rig.mistral.completions).toHaveLength(1));

    await command('/roleplay', 'main other 4 coffee');
    const refused = await response(0);
    await command('/roleplay', 'main other 4 juice', BOB);
    await rig.slack.waitFor(() => announcements().length === 2);

    expect(refused).toMatchObject({ response_type: 'ephemeral' });
    expect(String(refused.text)).toContain(
      'You already have 1 role-play running, the most one person may run at once (1)',
    );
    expect(announcements().map((message) => message.text)).toEqual([
      expect.stringContaining('“tea”'),
      expect.stringContaining('“juice”'),
    ]);
    expect(await refusals()).toBe('parley_refused_total{reason="roleplay_limit"} 1');
  });

  it('lets a workspace admin stop someone else’s play', async () => {
    await start({});
    rig.slack.addUser({ id: BOB, name: 'bob', displayName: 'Bob', isAdmin: true });
    rig.mistral.enqueue({ kind: 'hang' });
    await command('/roleplay', 'main other 4 tea');
    await vi.waitFor(() => expect(rig.mistral.completions).toHaveLength(1));
    const root = String(announcements()[0]?.ts);

    await pressStop(rig, GENERAL, root, BOB);
    await rig.slack.waitFor(() =>
      rig.slack.messages(GENERAL, root).some((message) => message.text.startsWith('🛑')),
    );

    expect(rig.slack.messages(GENERAL, root).at(-1)?.text).toBe('🛑 Stopped by Bob.');
  });
});
