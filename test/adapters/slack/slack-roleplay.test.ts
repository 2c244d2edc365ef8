import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { threadKey } from '../../../src/core/model.js';
import { plainText } from '../../support/framing.js';
import { gate } from '../../support/gate.js';
import { expectFourLinePlay } from '../../support/roleplay-expectations.js';
import { pressStop as pressStopIn, type SlackRig, startSlackRig } from './slack-harness.js';

const GENERAL = 'C0GENERAL';
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';
let rig: SlackRig;

beforeEach(async () => {
  rig = await startSlackRig();
});
afterEach(() => rig.close());

function roleplay(text: string, user = ALICE) {
  return rig.slack.sendSlashCommand(rig.eventsUrl, {
    command: '/roleplay',
    text,
    user_id: user,
    channel_id: GENERAL,
  });
}

/** The announcement Parley posted in the channel: the play's thread root. */
async function announcement() {
  await rig.slack.waitFor(() =>
    rig.slack.messages(GENERAL).some((message) => message.isBot && message.text.startsWith('🎭')),
  );
  const found = rig.slack
    .messages(GENERAL)
    .find((message) => message.isBot && message.text.startsWith('🎭'));
  if (found === undefined) throw new Error('no announcement');
  return found;
}

function thread(ts: string) {
  return rig.slack.messages(GENERAL, ts).filter((message) => message.isBot);
}

async function closingLine(ts: string): Promise<string> {
  await rig.slack.waitFor(
    () => thread(ts).some((message) => /^(🎬|🛑|⚠️)/.test(message.text)),
    10_000,
  );
  return thread(ts).find((message) => /^(🎬|🛑|⚠️)/.test(message.text))?.text ?? '';
}

const pressStop = (ts: string, user: string) => pressStopIn(rig, GENERAL, ts, user);

describe('Slack role-play', () => {
  it('stages N alternating lines under each agent persona, each agent seeing its own side', async () => {
    rig.mistral.setResponder((request) => ({
      kind: 'reply',
      text: `${request.agentId} says ${request.messages.length}`,
    }));

    const command = await roleplay('main other 4 "tea or coffee"');
    const root = await announcement();
    const closing = await closingLine(root.ts);

    expect(command.acked).toBe(true);
    expect(root.blocks).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'actions' })]),
    );
    const lines = thread(root.ts).filter((message) => message.username !== undefined);
    expectFourLinePlay(
      lines.map((line) => line.username),
      rig.mistral.completions,
      { main: rig.agent, other: rig.otherAgent },
    );
    expect(closing).toBe('🎬 The end: 4 turns done.');
  });

  it('answers /roleplay without arguments with usage and the roster, privately', async () => {
    await roleplay('');
    await rig.slack.waitFor(() => rig.slack.responses.length === 1);

    const body = rig.slack.responses[0]?.body;
    expect(body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(body?.text)).toContain('Usage: `/roleplay <agentA> <agentB> [turns] <topic>`');
    expect(String(body?.text)).toContain('other');
  });

  it('refuses turns over the limit with a clear message', async () => {
    await roleplay('main other 99 tea');
    await rig.slack.waitFor(() => rig.slack.responses.length === 1);

    expect(String(rig.slack.responses[0]?.body.text)).toContain('Turns must be between 1 and 20');
    expect(rig.slack.messages(GENERAL).filter((message) => message.isBot)).toHaveLength(0);
  });

  it('lets only the starter (or an admin) stop it with the button', async () => {
    rig.mistral.enqueue({ kind: 'reply', text: 'first line' }, { kind: 'hang' });
    await roleplay('main other 6 a long debate');
    const root = await announcement();
    await vi.waitFor(() => expect(rig.mistral.completions).toHaveLength(2));

    await pressStop(root.ts, BOB);
    await rig.slack.waitFor(() => rig.slack.responses.length === 1);
    await pressStop(root.ts, ALICE);
    const closing = await closingLine(root.ts);

    expect(rig.slack.responses[0]?.body).toMatchObject({ response_type: 'ephemeral' });
    expect(String(rig.slack.responses[0]?.body.text)).toContain(
      'Only Alice, who started this role-play, or an admin can stop it.',
    );
    expect(closing).toBe('🛑 Stopped by Alice.');
  });

  it('stops with /roleplay stop typed in the channel', async () => {
    rig.mistral.enqueue({ kind: 'reply', text: 'first line' }, { kind: 'hang' });
    await roleplay('main other 6 a long debate');
    const root = await announcement();
    await vi.waitFor(() => expect(rig.mistral.completions).toHaveLength(2));

    await roleplay('stop');
    const closing = await closingLine(root.ts);

    expect(closing).toBe('🛑 Stopped by Alice.');
  });

  it('lets the next speaker hear a person who writes in the thread', async () => {
    const held = gate();
    rig.mistral.enqueue({
      kind: 'gate',
      until: held.until,
      next: { kind: 'reply', text: 'opening line' },
    });
    await roleplay('main other 2 the weather');
    const root = await announcement();
    await vi.waitFor(() => expect(rig.mistral.completions).toHaveLength(1));

    const interjection = rig.slack.userMessage({
      channel: GENERAL,
      user: BOB,
      text: 'talk about rain!',
      threadTs: root.ts,
    });
    await rig.slack.sendEvent(rig.eventsUrl, interjection);
    const key = threadKey({
      platform: 'slack',
      workspace: rig.slack.teamId,
      channel: GENERAL,
      thread: root.ts,
    });
    await vi.waitFor(async () =>
      expect((await rig.core.roleplay.play(key))?.transcript).toHaveLength(1),
    );
    held.open();
    await closingLine(root.ts);

    const second = rig.mistral.completions[1];
    expect(plainText(second?.messages.at(-1)?.content)).toContain(
      'Bob (audience): talk about rain!',
    );
    expect(rig.mistral.completions).toHaveLength(2);
  });

  it('looks no play up for a message in a thread a person started (plays run in their own)', async () => {
    const interject = vi.spyOn(rig.core.roleplay, 'interject');
    const question = rig.slack.userMessage({
      channel: GENERAL,
      user: ALICE,
      text: `<@${rig.slack.botUserId}> hello`,
      mention: true,
    });
    await rig.slack.sendEvent(rig.eventsUrl, question);
    await vi.waitFor(() => expect(rig.mistral.completions).toHaveLength(1));

    await rig.slack.sendEvent(
      rig.eventsUrl,
      rig.slack.userMessage({
        channel: GENERAL,
        user: ALICE,
        text: `<@${rig.slack.botUserId}> and then?`,
        threadTs: String(question.ts),
        mention: true,
      }),
    );
    await vi.waitFor(() => expect(rig.mistral.completions).toHaveLength(2));

    expect(interject).not.toHaveBeenCalled();
  });
});
