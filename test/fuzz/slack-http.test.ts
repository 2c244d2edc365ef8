import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeSlackEvent } from '../../adapters/slack/slack-events.js';
import { signSlackRequest } from '../fakes/slack/sign.js';
import { percentEncode, type RawRequest } from './fuzz-io.js';
import { createRandom, FUZZ_SEED, type Random, reportCount } from './seeded-random.js';
import {
  ALICE,
  EVENTS_PATH,
  GENERAL,
  type SlackFuzzRig,
  startSlackFuzzRig,
} from './slack-fuzz-rig.js';

let fuzz: SlackFuzzRig;

beforeAll(async () => {
  fuzz = await startSlackFuzzRig();
});
afterAll(() => fuzz.close());

const MB = 1024 * 1024;

function post(body: string, headers: Record<string, string>): RawRequest {
  return { method: 'POST', path: EVENTS_PATH, headers, body };
}

/** A mention Parley would answer, were it delivered by Slack. */
function answerableMention(random: Random): string {
  const event = fuzz.rig.slack.userMessage({
    channel: GENERAL,
    user: ALICE,
    text: `<@${fuzz.rig.slack.botUserId}> ${random.text()}`,
    mention: true,
  });
  return JSON.stringify(fuzz.envelope(event));
}

describe('POST /slack/events without a valid signature', () => {
  it('refuses forged, stale and missing signatures with 401, even on answerable mentions', async () => {
    const random = createRandom(FUZZ_SEED + 100);
    const secret = fuzz.rig.slack.signingSecret;
    const now = Math.floor(Date.now() / 1000);
    const variants: ((body: string) => Record<string, string>)[] = [
      (body) => ({
        'x-slack-request-timestamp': String(now),
        'x-slack-signature': signSlackRequest(`${secret}x`, body, now),
      }),
      (body) => ({
        'x-slack-request-timestamp': String(now - random.int(301, 86_400)),
        'x-slack-signature': signSlackRequest(secret, body, now - 400),
      }),
      (body) => fuzz.signed(body, 'application/json', now - random.int(360, 10_000_000)),
      () => ({}),
      (body) => ({ 'x-slack-signature': signSlackRequest(secret, body, now) }),
      () => ({ 'x-slack-request-timestamp': String(now) }),
      (body) => ({
        'x-slack-request-timestamp': random.pick(['abc', '', '-1', '1e99', 'NaN', ' ']),
        'x-slack-signature': signSlackRequest(secret, body, now),
      }),
      () => ({
        'x-slack-request-timestamp': String(now),
        'x-slack-signature': random.pick([
          'v0=',
          'v1=abc',
          'v0=zz',
          `v0=${'0'.repeat(64)}`,
          '',
          'garbage',
        ]),
      }),
      (body) => ({
        'x-slack-request-timestamp': String(now),
        'x-slack-signature': signSlackRequest(secret, `${body} `, now),
      }),
      (body) => ({
        'x-slack-request-timestamp': String(now),
        'x-slack-signature': signSlackRequest(secret, body, now).toUpperCase(),
      }),
    ];
    const requests = Array.from({ length: 150 }, (_, index) => {
      const body = index % 3 === 0 ? random.text(10) : answerableMention(random);
      const headers = random.pick(variants)(body);
      return post(body, { 'content-type': 'application/json', ...headers });
    });
    requests.push(post('x'.repeat(MB), { 'content-type': 'application/json' }));
    reportCount('slack http: bad signatures', requests.length, FUZZ_SEED + 100);

    const responses = await fuzz.expectRejected(requests);

    expect(responses.filter((response) => response.status !== 401)).toEqual([]);
  });
});

describe('POST /slack/events with signed bodies Parley cannot use', () => {
  it('answers malformed JSON, odd content types and huge bodies with 2xx/4xx and changes nothing', async () => {
    const random = createRandom(FUZZ_SEED + 200);
    const bodies: [string, string][] = [];
    const types = [
      'application/json',
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/x-www-form-urlencoded',
      '',
    ];
    const malformed = [
      '',
      '{',
      '{not json',
      '{"type":',
      '}{',
      '\u0000',
      '\ud800',
      '[1,',
      '"',
      'nul',
    ];
    for (let i = 0; i < 80; i++) {
      const body = random.chance(0.5)
        ? random.pick(malformed)
        : `${random.pick(malformed)}${random.text()}`;
      bodies.push([body, random.pick(types)]);
    }
    for (const body of ['[]', '"x"', '1', 'true', '[{"type":"event_callback"}]', '{"ssl_check":1}'])
      bodies.push([body, 'application/json']);
    for (const body of [
      'a=b',
      'payload=',
      'payload=notjson',
      'payload=%5B%5D',
      'payload=1',
      'command=',
      'ssl_check=1',
      '%zz=%zz',
    ])
      bodies.push([body, 'application/x-www-form-urlencoded']);
    bodies.push([
      `{"type":"event_callback","event":{"type":"message","text":"${'x'.repeat(MB)}"}}`,
      'application/json',
    ]);
    bodies.push([`{${'"a":'.repeat(MB / 4)}`, 'application/json']);
    bodies.push([
      JSON.stringify({
        type: 'event_callback',
        event: { type: 'zzz', blob: random.text().repeat(20_000) },
      }),
      'application/json',
    ]);
    bodies.push(['['.repeat(100_000), 'application/json']);
    bodies.push([`{"a":"${'x'.repeat(5 * MB)}"}`, 'application/json']);
    const requests = bodies.map(([body, type]) => post(body, fuzz.signed(body, type)));
    reportCount('slack http: malformed signed bodies', requests.length, FUZZ_SEED + 200);

    await fuzz.expectRejected(requests);
  });

  it('answers url_verification variants with 200, echoing only the challenge', async () => {
    const random = createRandom(FUZZ_SEED + 300);
    const requests = Array.from({ length: 40 }, (_, index) => {
      const challenge = index === 0 ? 'c'.repeat(100_000) : random.value(2);
      const body = JSON.stringify({
        type: 'url_verification',
        ...(index % 7 === 0 ? {} : { challenge }),
        ...(random.chance(0.3) ? { token: random.value(1), event: random.value(2) } : {}),
      });
      return post(body, fuzz.signed(body));
    });
    reportCount('slack http: url_verification variants', requests.length, FUZZ_SEED + 300);

    const responses = await fuzz.expectRejected(requests);

    expect(responses.filter((response) => response.status !== 200)).toEqual([]);
  });

  it('ignores unknown event types, odd fields, bot and subtype messages without a trace', async () => {
    const random = createRandom(FUZZ_SEED + 400);
    const events: Record<string, unknown>[] = [];
    let answerable = 0;
    let boltFailures = 0;
    while (events.length < 250) {
      const event = oddEvent(random);
      if (boltThrowsOn(event)) {
        boltFailures += 1;
        continue;
      }
      // Some mutations leave a message a person could have sent: those are not rejected inputs.
      if (routeSlackEvent(event, fuzz.rig.slack.botUserId).kind !== 'ignored') {
        answerable += 1;
        continue;
      }
      events.push(event);
    }
    const requests = events.map((event) => {
      const envelope = fuzz.envelope(event);
      if (random.chance(0.2))
        envelope[
          random.pick(['team_id', 'event_id', 'authorizations', 'api_app_id', 'event_time'])
        ] = random.value(2);
      const body = JSON.stringify(envelope);
      return post(body, fuzz.signed(body));
    });
    reportCount(
      `slack http: odd events (left out: ${answerable} answerable, ${boltFailures} Bolt 500s)`,
      requests.length,
      FUZZ_SEED + 400,
    );

    await fuzz.expectRejected(requests);

    for (const event of events) {
      if (typeof event.channel !== 'string' || typeof event.ts !== 'string') continue;
      const thread = {
        platform: 'slack' as const,
        workspace: fuzz.rig.slack.teamId,
        channel: event.channel,
        thread: typeof event.thread_ts === 'string' ? event.thread_ts : event.ts,
      };
      expect(await fuzz.rig.core.store.historyLength(thread)).toBe(0);
    }
  });

  it('answers signed bodies Bolt would crash on (JSON null, payload=null) with 400', async () => {
    const bodies: [string, string][] = [
      ['null', 'application/json'],
      ['payload=null', 'application/x-www-form-urlencoded'],
      ['[]', 'application/json'],
      ['"text"', 'application/json'],
      ['payload=%5B%5D', 'application/x-www-form-urlencoded'],
    ];
    const requests = bodies.map(([body, type]) => post(body, fuzz.signed(body, type)));

    const responses = await fuzz.expectRejected(requests);

    expect(responses.map((response) => response.status)).toEqual([400, 400, 400, 400, 400]);
  });

  it('answers event_callbacks whose event, user, channel or item Bolt cannot read with 400, not 500', async () => {
    const random = createRandom(FUZZ_SEED + 450);
    const events: unknown[] = [null, 'event', 7, true];
    while (events.length < 60) {
      const event = oddEvent(random);
      if (boltThrowsOn(event)) events.push(event);
    }
    const requests = events.map((event) => {
      const body = JSON.stringify(fuzz.envelope(event));
      return post(body, fuzz.signed(body));
    });
    reportCount('slack http: events Bolt cannot read', requests.length, FUZZ_SEED + 450);

    const responses = await fuzz.expectRejected(requests);

    expect(responses.filter((response) => response.status !== 400)).toEqual([]);
  });
});

/** Inputs Bolt's own routing throws on; Parley's request guard answers them 400 first. */
function boltThrowsOn(event: Record<string, unknown>): boolean {
  const isPrimitive = (value: unknown) => typeof value !== 'object' || value === null;
  return (
    event.user === null ||
    ('channel' in event && typeof event.channel !== 'string' && isPrimitive(event.channel)) ||
    ('item' in event && isPrimitive(event.item))
  );
}

/** A message-like event with fields removed, retyped or made hostile, or an unknown event type. */
function oddEvent(random: Random): Record<string, unknown> {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(random.int(0, 999_999)).padStart(6, '0')}`;
  const event: Record<string, unknown> = {
    type: random.pick([
      'message',
      'app_mention',
      'reaction_added',
      'app_home_opened',
      'member_joined_channel',
      'zzz',
      '',
    ]),
    user: random.pick([ALICE, 'U0NOBODY', fuzz.rig.slack.botUserId]),
    channel: random.pick([GENERAL, 'D0ALICE', 'C0UNKNOWN']),
    ts,
    text: random.pick([`<@${fuzz.rig.slack.botUserId}> `, '']) + random.text(),
  };
  if (random.chance(0.3))
    event.subtype = random.pick([
      'bot_message',
      'message_changed',
      'message_deleted',
      'channel_join',
      'channel_topic',
      'me_message',
      random.text(1),
    ]);
  if (random.chance(0.2)) event.bot_id = random.pick(['B0BOT', 'B0OTHER', '']);
  for (let i = random.int(0, 4); i > 0; i--) {
    const field = random.pick([
      'type',
      'user',
      'channel',
      'ts',
      'thread_ts',
      'text',
      'files',
      'channel_type',
      'message',
      'blocks',
    ]);
    event[field] = random.chance(0.3) ? random.pick([null, [], {}, [{}], 42]) : random.value(2);
  }
  if (random.chance(0.05)) event.text = `${random.text()}${'\u0000'.repeat(100_000)}`;
  return event;
}

describe('other methods and paths', () => {
  it('answers every method, unknown path, query string and traversal with 2xx/4xx', async () => {
    const random = createRandom(FUZZ_SEED + 500);
    const methods = ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'POST'];
    const paths = [
      EVENTS_PATH,
      '/healthz',
      '/metrics',
      '/',
      '/unknown',
      '/slack/events/',
      '/SLACK/EVENTS',
      '/slack/events?x=1&x=2',
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/slack/..%2f..%2fhealthz',
      '//slack/events',
      '/%zz',
      '/%00',
      '/healthz?%ff%fe',
      'http://[::1/',
      'http://%/',
      '*',
      `/${'a'.repeat(8_000)}`,
    ];
    const requests: RawRequest[] = [];
    for (let i = 0; i < 150; i++) {
      const path =
        i < paths.length
          ? (paths[i] as string)
          : `${random.pick(paths)}?q=${percentEncode(random.text())}`;
      const method = random.pick(methods);
      requests.push({
        method,
        path,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: random.text() }),
      });
    }
    reportCount('http: methods, paths and query strings', requests.length, FUZZ_SEED + 500);

    await fuzz.expectRejected(requests);
  });
});

describe('hard messages people can send', () => {
  it('answers huge, control-character and mention-storm messages, and looks up a bounded number of people', async () => {
    const random = createRandom(FUZZ_SEED + 600);
    const bot = `<@${fuzz.rig.slack.botUserId}>`;
    const storm = Array.from({ length: 1_000 }, (_, i) => `<@U0STORM${i}>`).join(' ');
    const texts = [
      `${bot} ${'long words '.repeat(10_000)}`,
      `${bot} ${'\u0000\u0007\u001b[31m\ud800\udfff\u202e'.repeat(100)} ${random.text()}`,
      `${bot} ${storm}`,
      `${storm} ${bot}`,
      `${bot} ${'<!here> <!channel> <#C0GENERAL|general> '.repeat(300)}`,
    ];
    reportCount('slack http: hard but answerable messages', texts.length + 1, FUZZ_SEED + 600);
    const lookupsBefore = fuzz.rig.slack.callsTo('users.info').length;

    for (const text of texts) {
      const event = fuzz.rig.slack.userMessage({
        channel: GENERAL,
        user: ALICE,
        text,
        mention: true,
      });
      const delivered = await fuzz.rig.slack.sendEvent(fuzz.rig.eventsUrl, event);
      expect(delivered.status).toBe(200);
      await fuzz.answeredIn(GENERAL, String(event.ts));
    }
    const stranger = fuzz.rig.slack.userMessage({
      channel: GENERAL,
      user: 'U0NOBODY',
      text: `${bot} who am I?`,
      mention: true,
    });
    await fuzz.rig.slack.sendEvent(fuzz.rig.eventsUrl, stranger);
    await fuzz.answeredIn(GENERAL, String(stranger.ts));

    expect(fuzz.rig.slack.callsTo('users.info').length - lookupsBefore).toBeLessThanOrEqual(50);
    await fuzz.expectStillAnswers();
  });
});
