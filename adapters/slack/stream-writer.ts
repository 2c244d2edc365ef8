import { createCoalescingFlush } from '../../src/core/coalescing-flush.js';
import { markdownForSlack } from './slack-text.js';
import { cutStream } from './stream-cut.js';

/** Slack's chat streaming calls, bound to one thread. */
export interface StreamCalls {
  /** `chat.startStream`; resolves with the new message's ts. */
  start(markdown: string): Promise<string>;
  /** `chat.appendStream`. */
  append(ts: string, markdown: string): Promise<void>;
  /** `chat.stopStream`, optionally with final text. */
  stop(ts: string, markdown?: string): Promise<void>;
}

export interface StreamWriter {
  append(delta: string): void;
  /** Sends what is pending and ends the stream; rejects if a call failed. */
  finish(): Promise<void>;
  /** Ends an open stream with the notice after its text; false when no stream is open. */
  fail(notice: string): Promise<boolean>;
  /** True once a message exists (`chat.startStream` succeeded). */
  readonly hasStarted: boolean;
}

export interface StreamWriterOptions {
  /** Most Markdown one streamed message holds before the answer continues in a new one. */
  readonly maxMessageChars: number;
  /** Calls of one stream are at least this far apart; text meanwhile is batched. */
  readonly intervalMs: number;
}

/**
 * Streams an answer through Slack's chat streaming, in as many messages as its length needs.
 * Text is made safe as it arrives (mentions notify nobody), so lengths and cuts are measured on
 * what Slack receives.
 */
export function createStreamWriter(calls: StreamCalls, options: StreamWriterOptions): StreamWriter {
  // The last character received, so a mention cut between two deltas is still caught.
  let lastReceived = '';
  let pending = '';
  let sent = '';
  let ts: string | undefined;
  let hasStarted = false;

  async function send(text: string): Promise<void> {
    if (ts === undefined) {
      ts = await calls.start(text);
      hasStarted = true;
    } else await calls.append(ts, text);
    sent += text;
  }

  async function endMessage(): Promise<void> {
    if (ts !== undefined) await calls.stop(ts);
    ts = undefined;
    sent = '';
  }

  // One run sends what was pending when it began (cut across messages when it must): text that
  // arrives during the calls waits for the next run, an interval later. Draining it at once
  // would make a slow Slack get more calls, not fewer, just when it can least take them.
  async function flush(): Promise<void> {
    let batch = pending;
    pending = '';
    while (batch.trim() !== '' || (ts !== undefined && batch !== '')) {
      const room = options.maxMessageChars - sent.length;
      if (batch.length <= room) return send(batch);
      const cut = cutStream(sent, batch, room);
      batch = cut.tail;
      if (cut.head.trim() !== '') await send(cut.head);
      await endMessage();
    }
  }
  const flusher = createCoalescingFlush(flush, options.intervalMs);

  return {
    append(delta) {
      pending += markdownForSlack(delta, lastReceived);
      lastReceived = `${lastReceived}${delta}`.slice(-1);
      flusher.request();
    },
    async finish() {
      await flusher.settle();
      await endMessage();
    },
    async fail(notice) {
      await flusher.settle().catch(() => undefined);
      if (ts === undefined) return false;
      const open = ts;
      ts = undefined;
      await calls.stop(open, markdownForSlack(`\n\n${notice}`));
      return true;
    },
    get hasStarted() {
      return hasStarted;
    },
  };
}
