import { describe, expect, it } from 'vitest';
import type { WebClient } from '../../../adapters/slack/slack-calls.js';
import { acknowledgeInSlack } from '../../../adapters/slack/slack-reply.js';
import { createAssistantStatus } from '../../../adapters/slack/slack-status.js';

type Answer = 'ok' | 'refused' | 'pending';

/** Just the two Web API methods an acknowledgement uses; setStatus answers as told, in turn. */
function slackClient(answers: Answer[]) {
  const setStatusCalls: string[] = [];
  const posted: string[] = [];
  const client = {
    assistant: {
      threads: {
        setStatus: (args: { channel_id: string }) => {
          setStatusCalls.push(args.channel_id);
          const answer = answers.shift() ?? 'ok';
          if (answer === 'pending') return new Promise(() => undefined);
          if (answer === 'refused') return Promise.reject(new Error('not_allowed'));
          return Promise.resolve({ ok: true });
        },
      },
    },
    chat: {
      postMessage: async (args: { text: string }) => {
        posted.push(args.text);
        return { ok: true, ts: `1700000000.00010${posted.length}` };
      },
    },
  } as unknown as WebClient;
  return { client, setStatusCalls, posted };
}

const place = (channel: string) => ({
  channel,
  threadTs: '1700000000.000100',
  teamId: 'T1',
  userId: 'U1',
});

describe('Slack acknowledgement', () => {
  it('waits for Slack in a channel it has not shown the status in yet', async () => {
    const { client, setStatusCalls } = slackClient(['ok']);
    const status = createAssistantStatus(client);

    await expect(acknowledgeInSlack(client, status, place('C1'))).resolves.toEqual({
      kind: 'status',
    });
    expect(setStatusCalls).toEqual(['C1']);
    expect(status.isKnownToShow('C1')).toBe(true);
    expect(status.isKnownToShow('C2')).toBe(false);
  });

  it('does not wait for Slack where the status showed last time', async () => {
    const { client, setStatusCalls, posted } = slackClient(['ok', 'pending']);
    const status = createAssistantStatus(client);
    await acknowledgeInSlack(client, status, place('C1'));

    // Slack never answers the second call: the acknowledgement is not held up by it.
    await expect(acknowledgeInSlack(client, status, place('C1'))).resolves.toEqual({
      kind: 'status',
    });
    expect(setStatusCalls).toEqual(['C1', 'C1']);
    expect(posted).toEqual([]);
  });

  it('posts the placeholder where Slack refuses the status, and asks again next time', async () => {
    const { client, setStatusCalls, posted } = slackClient(['refused', 'refused']);
    const status = createAssistantStatus(client);

    const first = await acknowledgeInSlack(client, status, place('C9'));
    const second = await acknowledgeInSlack(client, status, place('C9'));

    expect(first.kind).toBe('placeholder');
    expect(second.kind).toBe('placeholder');
    expect(setStatusCalls).toEqual(['C9', 'C9']);
    expect(posted).toHaveLength(2);
    expect(status.isKnownToShow('C9')).toBe(false);
  });

  it('forgets a channel whose status stopped showing', async () => {
    const { client } = slackClient(['ok', 'refused']);
    const status = createAssistantStatus(client);
    await status.set(place('C1'), 'is thinking…');
    expect(status.isKnownToShow('C1')).toBe(true);

    await expect(status.set(place('C1'), 'is thinking…')).resolves.toBe(false);
    expect(status.isKnownToShow('C1')).toBe(false);
  });
});
