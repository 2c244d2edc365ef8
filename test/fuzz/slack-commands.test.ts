import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseParleyCommand } from '../../adapters/slack/slack-commands.js';
import { resolveAgent } from '../../src/config/roster.js';
import { parseRoleplayCommand } from '../../src/roleplay/roleplay-command.js';
import { expectClearText } from './fuzz-assert.js';
import { inBatches, percentEncode, type RawRequest, REQUEST_TIMEOUT_MS } from './fuzz-io.js';
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

const TURNS = ['0', '-1', '99999', '1e9', 'NaN', '2.5', '', '21', '-0', 'Infinity'];

function argument(random: Random): string {
  return random.pick([
    random.text(6),
    'x'.repeat(10_000),
    `"${random.text(3)}"`,
    '“quoted”',
    '',
    '\u0000\u0007\ud800',
    '漢字 😀 العربية',
    `'${random.text(2)}`,
  ]);
}

/** Sends slash commands as Slack does; resolves with what Parley posted to each response_url. */
async function runCommands(command: string, texts: readonly string[]) {
  const responseUrls = await inBatches(texts, async (text) => {
    const sent = await Promise.race([
      fuzz.rig.slack.sendSlashCommand(fuzz.rig.eventsUrl, {
        command,
        text,
        user_id: ALICE,
        channel_id: GENERAL,
      }),
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`no answer to ${command} ${text.slice(0, 40)}`)),
          REQUEST_TIMEOUT_MS,
        ),
      ),
    ]);
    expect(sent.status).toBe(200);
    return sent.responseUrl;
  });
  const answerOf = (url: string) =>
    fuzz.rig.slack.responses.find((response) => response.responseUrl === url);
  await fuzz.rig.slack.waitFor(
    () => responseUrls.every((url) => answerOf(url) !== undefined),
    REQUEST_TIMEOUT_MS,
  );
  return responseUrls.map((url) => String(answerOf(url)?.body.text ?? ''));
}

describe('/parley with bad arguments', () => {
  it('refuses each privately with a short clear text, storing nothing', async () => {
    const random = createRandom(FUZZ_SEED + 700);
    const { roster } = fuzz.rig.core.config;
    let valid = 0;
    const texts: string[] = [];
    while (texts.length < 100) {
      const text = `${random.pick(['agent', 'AGENT', 'reset', 'help', '', random.text(1), 'x'.repeat(5_000)])} ${argument(random)}`;
      const parsed = parseParleyCommand(text);
      // Naming a real agent (or anything shaped like an agent id) changes the channel: not a bad input.
      if (
        parsed.kind === 'agent' &&
        parsed.nameOrId !== undefined &&
        resolveAgent(roster, parsed.nameOrId)
      ) {
        valid += 1;
        continue;
      }
      texts.push(text);
    }
    reportCount(
      `slack /parley bad arguments (${valid} valid left out)`,
      texts.length,
      FUZZ_SEED + 700,
    );

    await fuzz.expectNoChange(async () => {
      const answers = await runCommands('/parley', texts);

      for (const answer of answers) expectClearText(answer, fuzz.secrets);
    });
  });
});

describe('/roleplay with bad arguments', () => {
  it('answers each with usage and the problem, creating no play', async () => {
    const random = createRandom(FUZZ_SEED + 800);
    const { roster, roleplay: limits } = fuzz.rig.core.config;
    let valid = 0;
    const texts: string[] = [];
    while (texts.length < 150) {
      const text = [
        random.pick(['main', 'other', 'nobody', 'ag_short', random.text(1), '']),
        random.pick(['main', 'other', '', random.text(1)]),
        random.pick(TURNS),
        argument(random),
      ].join(' ');
      if (parseRoleplayCommand(text, roster, limits).kind === 'start') {
        valid += 1;
        continue;
      }
      texts.push(text);
    }
    reportCount(
      `slack /roleplay bad arguments (${valid} valid left out)`,
      texts.length,
      FUZZ_SEED + 800,
    );

    await fuzz.expectNoChange(async () => {
      const answers = await runCommands('/roleplay', texts);

      for (const answer of answers) expectClearText(answer, fuzz.secrets);
    });
    expect(
      fuzz.rig.slack.messages(GENERAL).filter((message) => message.text.startsWith('🎭')),
    ).toEqual([]);
  });

  it('refuses the documented out-of-range turns with the range', async () => {
    const texts = ['0', '-1', '99999', '1e9', '2.5'].map(
      (turns) => `main other ${turns} first dates`,
    );
    reportCount('slack /roleplay out-of-range turns', texts.length);

    await fuzz.expectNoChange(async () => {
      const answers = await runCommands('/roleplay', texts);

      for (const answer of answers) expect(answer).toContain('Turns must be between 1 and 20');
    });
  });
});

describe('unknown commands and interactions', () => {
  it('answers unknown commands and malformed or unknown interactions with 2xx/4xx', async () => {
    const random = createRandom(FUZZ_SEED + 900);
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const bodies: string[] = [];
    for (const command of ['/zzz', '/PARLEY', '/parley2', '', '/', '/roleplay\u0000'])
      bodies.push(
        form({
          command,
          text: random.text(),
          user_id: ALICE,
          channel_id: GENERAL,
          team_id: 'T0TEST',
        }),
      );
    for (let i = 0; i < 40; i++) bodies.push(`payload=${percentEncode(`{${random.text()}`)}`);
    for (let i = 0; i < 24; i++) {
      const payload = {
        type: random.pick([
          'block_actions',
          'view_submission',
          'shortcut',
          'message_action',
          'zzz',
        ]),
        user: random.pick([{ id: ALICE }, {}, [], 'U0ALICE']),
        actions: [
          {
            action_id: random.pick(['unknown', '', random.text(1), 'ROLEPLAY_STOP']),
            type: 'button',
          },
        ],
        team: { id: 'T0TEST' },
      };
      bodies.push(form({ payload: JSON.stringify(payload) }));
    }
    const requests: RawRequest[] = bodies.map((body) => ({
      method: 'POST',
      path: EVENTS_PATH,
      headers: fuzz.signed(body, 'application/x-www-form-urlencoded'),
      body,
    }));
    reportCount('slack unknown commands and interactions', requests.length, FUZZ_SEED + 900);

    await fuzz.expectRejected(requests);
  });

  it('tells whoever presses Stop on a message without a play, storing nothing', async () => {
    const random = createRandom(FUZZ_SEED + 1000);
    const presses = Array.from({ length: 20 }, () => ({
      type: 'block_actions',
      user: { id: random.pick([ALICE, 'U0BOB', 'U0NOBODY']) },
      channel: { id: random.pick([GENERAL, 'C0UNKNOWN', 'D0ALICE']) },
      message: {
        ts: random.pick(['1712345678.000100', '0.0', '9999999999.999999']),
        text: random.text(),
      },
      actions: [{ action_id: 'roleplay_stop', type: 'button', value: random.text(1) }],
    }));
    reportCount('slack Stop without a play', presses.length, FUZZ_SEED + 1000);

    await fuzz.expectNoChange(async () => {
      const sent = await inBatches(presses, (payload) =>
        fuzz.rig.slack.sendInteraction(fuzz.rig.eventsUrl, payload),
      );
      const urls = sent.map((result) => result.responseUrl ?? '');
      await fuzz.rig.slack.waitFor(() =>
        urls.every((url) =>
          fuzz.rig.slack.responses.some((response) => response.responseUrl === url),
        ),
      );

      for (const url of urls) {
        const answer = fuzz.rig.slack.responses.find((response) => response.responseUrl === url);
        expectClearText(String(answer?.body.text ?? ''), fuzz.secrets);
      }
    });
  });
});
