/** A Slack rig for fuzzing: recording stores, signed raw requests, and a liveness probe. */
import { expect } from 'vitest';
import { type SlackRig, startSlackRig } from '../adapters/slack/slack-harness.js';
import { slackSignatureHeaders } from '../fakes/slack/sign.js';
import { expectNoSecret, strayWrites } from './fuzz-assert.js';
import { inBatches, type RawRequest, type RawResponse, rawRequest } from './fuzz-io.js';
import { type RecordingStores, recordingStores } from './recording-stores.js';

export const GENERAL = 'C0GENERAL';
export const ALICE = 'U0ALICE';
export const EVENTS_PATH = '/slack/events';
// Liveness replies stream through a real Bolt and SDK: generous, since it is a bound, not a speed.
const ANSWER_WAIT_MS = 15_000;

export interface SlackFuzzRig {
  readonly rig: SlackRig;
  readonly stores: RecordingStores;
  readonly port: number;
  readonly secrets: readonly string[];
  /** Headers of a request Slack signed now (or at `timestampSec`). */
  signed(body: string, contentType?: string, timestampSec?: number): Record<string, string>;
  /** An `event_callback` envelope around `event`, as Slack sends it. */
  envelope(event: unknown): Record<string, unknown>;
  send(requests: readonly RawRequest[]): Promise<RawResponse[]>;
  /**
   * Runs `act`, then proves it changed nothing: a normal mention is still answered afterwards,
   * and there is no write or completion besides those of the threads Parley answered.
   */
  expectNoChange(act: () => Promise<void>): Promise<void>;
  /** Sends `requests` under `expectNoChange`; every answer must be 2xx/4xx without a secret. */
  expectRejected(requests: readonly RawRequest[]): Promise<RawResponse[]>;
  /** Mentions Parley in a new thread and waits for the whole answer; returns the thread's ts. */
  expectStillAnswers(): Promise<string>;
  /** Waits until Parley's reply in the thread has finished streaming. */
  answeredIn(channel: string, threadTs: string): Promise<void>;
  close(): Promise<void>;
}

export async function startSlackFuzzRig(): Promise<SlackFuzzRig> {
  const stores = recordingStores();
  const rig = await startSlackRig({ store: stores.store, plays: stores.plays });
  const port = Number(new URL(rig.baseUrl).port);
  const secrets = [rig.mistralKey, rig.slack.botToken, rig.slack.signingSecret, rig.slack.appToken];
  let events = 0;
  let probes = 0;
  // Threads Parley legitimately answered: their history is written after the reply shows.
  const answered: string[] = [];

  const signed = (body: string, contentType = 'application/json', timestampSec?: number) => ({
    'content-type': contentType,
    ...slackSignatureHeaders(rig.slack.signingSecret, body, timestampSec),
  });
  const send = (requests: readonly RawRequest[]) =>
    inBatches(requests, (request) => rawRequest(port, request));
  const answeredIn = (channel: string, threadTs: string) => {
    answered.push(threadTs);
    return rig.slack.waitFor(
      () =>
        rig.slack
          .messages(channel, threadTs)
          .some(
            (message) => message.isBot && message.stream !== 'streaming' && message.text !== '',
          ),
      ANSWER_WAIT_MS,
    );
  };
  const expectStillAnswers = async (): Promise<string> => {
    probes += 1;
    const text = `<@${rig.slack.botUserId}> still there? probe${probes}.`;
    const event = rig.slack.userMessage({ channel: GENERAL, user: ALICE, text, mention: true });
    const delivered = await rig.slack.sendEvent(rig.eventsUrl, event);
    expect(delivered.status).toBe(200);
    const ts = String(event.ts);
    await answeredIn(GENERAL, ts);
    return ts;
  };

  const expectNoChange = async (act: () => Promise<void>): Promise<void> => {
    const writesBefore = stores.writes.length;
    const completionsBefore = rig.mistral.completions.length;

    await act();
    await expectStillAnswers();

    expect(strayWrites(stores.writes, writesBefore, answered)).toEqual([]);
    const stray = rig.mistral.completions
      .slice(completionsBefore)
      .filter((completion) => !JSON.stringify(completion.messages).includes(`probe${probes}.`));
    expect(stray).toEqual([]);
    expectNoSecret(rig.logs(), secrets);
  };

  return {
    rig,
    stores,
    port,
    secrets,
    signed,
    envelope: (event) => ({
      token: 'fake-verification-token',
      team_id: rig.slack.teamId,
      api_app_id: rig.slack.appId,
      event,
      type: 'event_callback',
      event_id: `EvFUZZ${++events}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: rig.slack.teamId, user_id: rig.slack.botUserId, is_bot: true }],
    }),
    send,
    expectNoChange,
    async expectRejected(requests) {
      let responses: RawResponse[] = [];
      await expectNoChange(async () => {
        responses = await send(requests);
      });
      const failed = responses
        .map((response, index) => ({ response, request: requests[index] }))
        .filter(({ response }) => response.status < 200 || response.status >= 500)
        .map(({ response, request }) => `${response.status} ${describe(request)}`);
      expect(failed).toEqual([]);
      for (const response of responses) expectNoSecret(response.body, secrets);
      return responses;
    },
    expectStillAnswers,
    answeredIn,
    close: () => rig.close(),
  };
}

function describe(request: RawRequest | undefined): string {
  if (request === undefined) return '?';
  const body = request.body === undefined ? '' : String(request.body).slice(0, 120);
  return `${request.method} ${request.path.slice(0, 80)} ${JSON.stringify(body)}`;
}
