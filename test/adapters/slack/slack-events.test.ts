import { describe, expect, it } from 'vitest';
import { routeSlackEvent } from '../../../adapters/slack/slack-events.js';

const BOT = 'U0BOT';
const base = { type: 'message', channel: 'C1', user: 'U1', text: 'hello', ts: '1700000000.000100' };

describe('routeSlackEvent', () => {
  it('answers a mention, in a new thread rooted at the mention', () => {
    const route = routeSlackEvent({ ...base, type: 'app_mention', text: `<@${BOT}> hi` }, BOT);

    expect(route).toMatchObject({
      kind: 'answer',
      trigger: 'mention',
      event: { ts: base.ts, threadTs: undefined },
    });
  });

  it('answers every DM', () => {
    expect(routeSlackEvent({ ...base, channel: 'D1', channel_type: 'im' }, BOT)).toMatchObject({
      trigger: 'dm',
    });
  });

  it('treats a thread reply without a mention as a candidate, not an answer', () => {
    const route = routeSlackEvent(
      { ...base, channel_type: 'channel', thread_ts: '1699999999.000100' },
      BOT,
    );

    expect(route.kind).toBe('thread-reply');
  });

  it('ignores a top-level channel message that does not mention the bot', () => {
    expect(routeSlackEvent({ ...base, channel_type: 'channel' }, BOT)).toEqual({
      kind: 'ignored',
      reason: 'not-addressed',
    });
  });

  it.each([
    ['its own messages', { ...base, user: BOT }, 'self'],
    ['other bots', { ...base, bot_id: 'B9' }, 'bot'],
    ['bot_message subtype', { ...base, subtype: 'bot_message' }, 'bot'],
    ['edits', { ...base, subtype: 'message_changed' }, 'subtype'],
    ['deletions', { ...base, subtype: 'message_deleted' }, 'subtype'],
    ['joins', { ...base, subtype: 'channel_join' }, 'subtype'],
    ['a payload without ts', { ...base, ts: undefined }, 'malformed'],
    ['a payload with a bad ts', { ...base, ts: 'yesterday' }, 'malformed'],
    ['a non-object', 'hello', 'malformed'],
  ])('ignores %s', (_name, event, reason) => {
    expect(routeSlackEvent(event, BOT)).toEqual({ kind: 'ignored', reason });
  });

  it('keeps file shares and their files', () => {
    const event = {
      ...base,
      channel_type: 'im',
      subtype: 'file_share',
      files: [
        {
          id: 'F0A1',
          name: 'a.png',
          url_private: 'https://files.slack.com/a.png',
          mimetype: 'image/png',
          size: 12,
        },
        { bogus: 1 },
      ],
    };

    const route = routeSlackEvent(event, BOT);

    // The history keeps Slack's file id; the private URL is asked for when the file is read.
    expect(route).toMatchObject({
      kind: 'answer',
      event: { files: [{ name: 'a.png', ref: 'F0A1', mimeType: 'image/png', size: 12 }] },
    });
    expect(JSON.stringify(route)).not.toContain('files.slack.com');
  });
});
