import { describe, expect, it, vi } from 'vitest';
import { createStreamWriter, type StreamCalls } from '../../../adapters/slack/stream-writer.js';

type Call = { readonly method: 'start' | 'append' | 'stop'; readonly markdown: string };

/** Stream calls that record what they were sent; `start` waits until `release` is called. */
function recordingCalls() {
  const calls: Call[] = [];
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let messages = 0;
  const stream: StreamCalls = {
    start: async (markdown) => {
      calls.push({ method: 'start', markdown });
      await released;
      messages += 1;
      return `1.000${messages}`;
    },
    append: async (_ts, markdown) => void calls.push({ method: 'append', markdown }),
    stop: async (_ts, markdown) => void calls.push({ method: 'stop', markdown: markdown ?? '' }),
  };
  return { calls, stream, release };
}

/** Lets every pending promise callback run (no timers involved). */
async function settle(): Promise<void> {
  for (let round = 0; round < 10; round += 1) await Promise.resolve();
}

describe('Slack stream writer', () => {
  it('keeps text that arrives during a call for the next run, not an extra call at once', async () => {
    const { calls, stream, release } = recordingCalls();
    const writer = createStreamWriter(stream, { maxMessageChars: 11_000, intervalMs: 60_000 });

    writer.append('First words');
    writer.append(', more');
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    writer.append(' while Slack is slow');
    release();
    await settle();

    expect(calls).toEqual([{ method: 'start', markdown: 'First words, more' }]);
    await writer.finish();
    expect(calls.map((call) => call.method)).toEqual(['start', 'append', 'stop']);
    expect(calls[1]?.markdown).toBe(' while Slack is slow');
  });

  it('still cuts one long batch across messages in a single run', async () => {
    const { calls, stream, release } = recordingCalls();
    release();
    const writer = createStreamWriter(stream, { maxMessageChars: 40, intervalMs: 60_000 });

    writer.append(`${'word '.repeat(8)}\n\n${'more '.repeat(6)}`);
    await writer.finish();

    const text = calls
      .filter((call) => call.method !== 'stop')
      .map((call) => call.markdown)
      .join('');
    expect(calls.filter((call) => call.method === 'start').length).toBeGreaterThan(1);
    expect(text.replace(/\s+/g, ' ').trim()).toBe(
      `${'word '.repeat(8)}${'more '.repeat(6)}`.trim(),
    );
  });
});
