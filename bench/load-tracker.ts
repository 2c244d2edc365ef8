/**
 * Reads the fake Slack's calls log as it grows and tells, for each thread's open question,
 * when the person first saw a sign of life, the answer's first text, and the final answer.
 * Times are the fake's own `at` stamps, so how often the log is read does not change them.
 */
import type { ApiCall, FakeSlack } from '../test/fakes/slack/index.js';
import { textOfChunks } from './bot-parts.js';
import { normalized, showsAnswerText } from './load-answers.js';

// Reading the log this often keeps a closed loop's "think time" negligible next to ~2 s answers.
const POLL_INTERVAL_MS = 10;

/** When each stage became visible (ms since the epoch), for one question. */
export interface Sightings {
  readonly signOfLife?: number;
  readonly firstText?: number;
  readonly final?: number;
}

export type TurnOutcome =
  | ({ readonly kind: 'answered'; readonly final: number } & Sightings)
  | ({ readonly kind: 'timeout' } & Sightings)
  | ({ readonly kind: 'undelivered'; readonly reason: string } & Sightings);

interface OpenTurn {
  readonly answer: string;
  /** What the bot's reply shows now, rebuilt from the calls' own arguments. */
  shown: string;
  isStreaming: boolean;
  sightings: { signOfLife?: number; firstText?: number };
  readonly settle: (outcome: TurnOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

type Effect = 'status' | 'post' | 'replace' | 'stream-start' | 'stream-append' | 'stream-stop';

const EFFECTS: Readonly<Record<string, Effect>> = {
  'assistant.threads.setStatus': 'status',
  'chat.postMessage': 'post',
  'chat.update': 'replace',
  'chat.startStream': 'stream-start',
  'chat.appendStream': 'stream-append',
  'chat.stopStream': 'stream-stop',
};

function stringOf(args: ApiCall['args'], name: string): string | undefined {
  const value = args[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Text a call puts on screen: `text`, or a stream's `markdown_text` and markdown chunks. */
function textOf(call: ApiCall): string {
  const { args } = call;
  if (typeof args.text === 'string') return args.text;
  const chunkText = textOfChunks(Array.isArray(args.chunks) ? args.chunks : []);
  return `${typeof args.markdown_text === 'string' ? args.markdown_text : ''}${chunkText}`;
}

export class CallTracker {
  readonly #slack: FakeSlack;
  readonly #open = new Map<string, OpenTurn>();
  readonly #threadOfMessage = new Map<string, string>();
  readonly #timer: NodeJS.Timeout;
  #next = 0;
  /** Visible calls in a thread with no open question: late or duplicate replies. */
  strayCalls = 0;

  constructor(slack: FakeSlack) {
    this.#slack = slack;
    this.#timer = setInterval(() => this.#drain(), POLL_INTERVAL_MS);
  }

  /** Index of the next call the log will hold: the start of a measured window. */
  get position(): number {
    return this.#slack.calls.length;
  }

  /** Watches the thread for the answer to the question just sent; settles once, always. */
  expect(channel: string, root: string, answer: string, timeoutMs: number): Promise<TurnOutcome> {
    const key = `${channel}/${root}`;
    this.#drain();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle(key, { kind: 'timeout' }), timeoutMs);
      this.#open.set(key, {
        answer: normalized(answer),
        shown: '',
        isStreaming: false,
        sightings: {},
        settle: resolve,
        timer,
      });
    });
  }

  /** Ends the thread's open question at once (its event could not be delivered). */
  abandon(channel: string, root: string, reason: string): void {
    this.#settle(`${channel}/${root}`, { kind: 'undelivered', reason });
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const key of [...this.#open.keys()]) this.#settle(key, { kind: 'timeout' });
  }

  #settle(key: string, outcome: TurnOutcome): void {
    const turn = this.#open.get(key);
    if (turn === undefined) return;
    this.#open.delete(key);
    clearTimeout(turn.timer);
    turn.settle({ ...turn.sightings, ...outcome });
  }

  #drain(): void {
    const { calls } = this.#slack;
    for (; this.#next < calls.length; this.#next += 1) {
      const call = calls[this.#next];
      if (call?.ok) this.#apply(call);
    }
  }

  /** The thread a visible call acts in: named by `thread_ts`, or through the message it edits. */
  #threadKey(call: ApiCall, effect: Effect): string | undefined {
    const channel = stringOf(call.args, effect === 'status' ? 'channel_id' : 'channel');
    if (channel === undefined) return undefined;
    const named = effect === 'status' || effect === 'post' || effect === 'stream-start';
    const ts = stringOf(call.args, named ? 'thread_ts' : 'ts');
    if (ts === undefined) return undefined;
    const cached = this.#threadOfMessage.get(`${channel}/${ts}`);
    if (cached !== undefined) return cached;
    const root = this.#slack.message(channel, ts)?.threadTs ?? ts;
    const key = `${channel}/${root}`;
    this.#threadOfMessage.set(`${channel}/${ts}`, key);
    return key;
  }

  #apply(call: ApiCall): void {
    const effect = EFFECTS[call.method];
    if (effect === undefined) return;
    const key = this.#threadKey(call, effect);
    if (key === undefined) return;
    const turn = this.#open.get(key);
    if (turn === undefined) {
      if (effect !== 'status') this.strayCalls += 1;
      return;
    }
    if (effect === 'status' && stringOf(call.args, 'status') === undefined) return;
    turn.sightings.signOfLife ??= call.at;
    updateShown(turn, effect, textOf(call));
    if (turn.sightings.firstText === undefined && showsAnswerText(turn.shown, turn.answer)) {
      turn.sightings.firstText = call.at;
    }
    if (!turn.isStreaming && normalized(turn.shown) === turn.answer) {
      this.#settle(key, { kind: 'answered', final: call.at });
    }
  }
}

function updateShown(turn: OpenTurn, effect: Effect, text: string): void {
  switch (effect) {
    case 'post':
    case 'replace':
      turn.shown = text;
      return;
    case 'stream-start':
      turn.shown = text;
      turn.isStreaming = true;
      return;
    case 'stream-append':
      turn.shown += text;
      return;
    case 'stream-stop':
      turn.shown += text;
      turn.isStreaming = false;
      return;
    case 'status':
      return;
  }
}
