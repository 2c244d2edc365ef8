import { describe, expect, it, vi } from 'vitest';
import { createLiveReply, type MessageTransport } from '../../src/core/live-reply.js';

function recordingTransport(options: { failOn?: 'post' | 'edit' } = {}) {
  const messages: string[] = [];
  let calls = 0;
  const transport: MessageTransport<number> = {
    post: async (text) => {
      calls += 1;
      if (options.failOn === 'post') throw new Error('post refused');
      messages.push(text);
      return messages.length - 1;
    },
    edit: async (id, text) => {
      calls += 1;
      if (options.failOn === 'edit') throw new Error('edit refused');
      messages[id] = text;
    },
  };
  return { transport, messages, calls: () => calls };
}

const render = (markdown: string) => markdown.toUpperCase();

describe('createLiveReply', () => {
  it('ends with the whole answer, rendered and split within the limit', async () => {
    const { transport, messages } = recordingTransport();
    const reply = createLiveReply(transport, { maxChars: 100, minEditIntervalMs: 0, render });
    const paragraphs = Array.from(
      { length: 12 },
      (_, index) => `paragraph ${index} ${'x'.repeat(30)}`,
    );

    for (const paragraph of paragraphs) reply.append(`${paragraph}\n\n`);
    await reply.finish();

    expect(messages.every((message) => message.length <= 100)).toBe(true);
    expect(messages.join('\n\n')).toBe(render(paragraphs.join('\n\n')));
  });

  it('coalesces many small appends into few calls', async () => {
    const { transport, messages, calls } = recordingTransport();
    const reply = createLiveReply(transport, {
      maxChars: 1_000,
      minEditIntervalMs: 60_000,
      render,
    });

    for (let index = 0; index < 200; index += 1) reply.append('a');
    await reply.finish();

    expect(messages).toEqual(['A'.repeat(200)]);
    expect(calls()).toBeLessThanOrEqual(2);
  });

  it('turns its placeholder into the answer', async () => {
    const { transport, messages } = recordingTransport();
    const reply = createLiveReply(transport, { maxChars: 100, minEditIntervalMs: 0, render });

    await reply.placeholder('…');
    reply.append('done');
    await reply.finish();

    expect(messages).toEqual(['DONE']);
  });

  it('says a tool is done when it finished before any words, then shows the words', async () => {
    vi.useFakeTimers();
    try {
      const seen: string[] = [];
      const { transport } = recordingTransport();
      const watched = createLiveReply(
        {
          post: async (text) => {
            seen.push(text);
            return transport.post(text);
          },
          edit: async (id, text) => {
            seen.push(text);
            await transport.edit(id, text);
          },
        },
        { maxChars: 100, minEditIntervalMs: 0, render },
      );

      await watched.placeholder('…');
      watched.status('Searching the web…');
      await vi.runAllTimersAsync();
      watched.status(undefined);
      await vi.runAllTimersAsync();
      watched.append('found it');
      await watched.finish();

      expect(seen).toEqual(['…', '_SEARCHING THE WEB…_', '_SEARCHING THE WEB… DONE_', 'FOUND IT']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says where the answer is when it was files only (posted below the placeholder)', async () => {
    const { transport, messages } = recordingTransport();
    const reply = createLiveReply(transport, { maxChars: 100, minEditIntervalMs: 0, render });

    await reply.placeholder('…');
    await reply.finish();

    expect(messages).toEqual(['_THE ANSWER IS IN THE FILES BELOW._']);
  });

  it('replaces the placeholder with the notice when nothing was said', async () => {
    const { transport, messages } = recordingTransport();
    const reply = createLiveReply(transport, { maxChars: 100, minEditIntervalMs: 0, render });

    await reply.placeholder('…');
    await reply.fail('agent unavailable');

    expect(messages).toEqual(['agent unavailable']);
  });

  it('keeps the partial answer and adds the notice after it', async () => {
    const { transport, messages } = recordingTransport();
    const reply = createLiveReply(transport, { maxChars: 100, minEditIntervalMs: 0, render });

    reply.append('half an answer');
    await reply.fail('cut off');

    expect(messages).toEqual(['HALF AN ANSWER', 'cut off']);
  });

  it('rejects finish when the platform refused a post', async () => {
    const { transport } = recordingTransport({ failOn: 'post' });
    const reply = createLiveReply(transport, { maxChars: 100, minEditIntervalMs: 0, render });

    reply.append('text');

    await expect(reply.finish()).rejects.toThrow('post refused');
  });

  it('splits finer where rendering makes a part longer than the limit', async () => {
    const { transport, messages } = recordingTransport();
    const wrapLinks = (markdown: string) => markdown.replace(/https:\S+/g, (url) => `<${url}>`);
    const reply = createLiveReply(transport, {
      maxChars: 100,
      minEditIntervalMs: 0,
      render: wrapLinks,
    });
    const markdown = `${'word '.repeat(8)}https://a.example/1 https://a.example/2 https://a.example/3`;

    reply.append(markdown);
    await reply.finish();

    expect(markdown.length).toBeLessThanOrEqual(100);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.every((message) => message.length <= 100)).toBe(true);
    const words = (text: string) => text.replace(/[<>]/g, '').split(/\s+/);
    expect(words(messages.join(' '))).toEqual(words(markdown));
  });

  it('says a tool is done when its status line got no words after it', async () => {
    const { transport, messages } = recordingTransport();
    const reply = createLiveReply(transport, { maxChars: 100, minEditIntervalMs: 0, render });

    reply.status('Drawing an image…');
    await expect.poll(() => messages).toEqual(['_DRAWING AN IMAGE…_']);
    reply.status(undefined);
    await reply.finish();

    expect(messages).toEqual(['_DRAWING AN IMAGE… DONE_']);
  });

  it('says a tool is done when its status line spilled into a message of its own', async () => {
    const { transport, messages } = recordingTransport();
    const reply = createLiveReply(transport, { maxChars: 100, minEditIntervalMs: 0, render });
    const text = 'x'.repeat(90);

    reply.append(text);
    reply.status('Running code…');
    await expect.poll(() => messages).toHaveLength(2);
    reply.status(undefined);
    await reply.finish();

    expect(messages).toEqual([render(text), '_RUNNING CODE… DONE_']);
  });
});
