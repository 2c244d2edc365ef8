import { describe, expect, it } from 'vitest';
import type { MessageTransport } from '../../src/core/live-reply.js';
import { intentsAhead, journaledTransport, type ReplyJournal } from '../../src/core/replies.js';

/** A journal that logs every write, in order. */
function loggingJournal(posted: readonly string[] = []) {
  const writes: string[] = [];
  const journal: ReplyJournal = {
    posted,
    files: new Set(),
    intend: async (index) => void writes.push(`intend ${index}`),
    record: async (index, id) => void writes.push(`record ${index} ${id}`),
    recordFile: async () => {},
  };
  return { journal, writes };
}

/** A transport that logs its posts and edits into the same list as the journal. */
function loggingTransport(writes: string[]): MessageTransport<string> {
  let posts = 0;
  return {
    post: async (text) => {
      posts += 1;
      writes.push(`post ${text}`);
      return `m${posts}`;
    },
    edit: async (id, text) => void writes.push(`edit ${id} ${text}`),
  };
}

describe('reply journal intents', () => {
  it('writes the first post’s intent ahead, before the first words exist, and reuses it', async () => {
    const { journal, writes } = loggingJournal();
    const intend = intentsAhead(journal);
    expect(writes).toEqual(['intend 0']);

    await intend(0);
    await intend(1);

    expect(writes).toEqual(['intend 0', 'intend 1']);
  });

  it('writes nothing ahead when not asked to', async () => {
    const { journal, writes } = loggingJournal();
    const intend = intentsAhead(journal, false);
    expect(writes).toEqual([]);

    await intend(0);
    expect(writes).toEqual(['intend 0']);
  });

  it('journals every new post after its intent, and edits what an earlier attempt posted', async () => {
    const { journal, writes } = loggingJournal(['old']);
    const transport = journaledTransport(loggingTransport(writes), journal, true);
    // A retry with messages posted writes nothing ahead: its first post is an edit.
    expect(writes).toEqual([]);

    await transport.post('again');
    await transport.post('more');

    expect(writes).toEqual(['edit old again', 'intend 1', 'post more', 'record 1 m1']);
  });
});
