import { describe, expect, it } from 'vitest';
import { type ReplyPart, withHandoffs } from '../../src/core/handoff-sink.js';
import { journaledTransport, type ReplyJournal } from '../../src/core/replies.js';

/** A reply journal in memory, as a job's attempts see it: what earlier attempts posted. */
function memoryJournal(posted: readonly string[] = []) {
  const recorded = new Map<number, string>(posted.map((id, index) => [index, id]));
  const journal: ReplyJournal = {
    posted,
    intend: async () => {},
    record: async (index, id) => void recorded.set(index, id),
    files: new Set(),
    recordFile: async () => {},
  };
  return { journal, recorded };
}

/** A part whose every append is one message, posted through the journal (or edited on a retry). */
function messagePart(
  said: string[],
  name: string,
  journal: ReplyJournal | undefined,
  intendAhead = false,
): ReplyPart {
  let count = 0;
  const transport = journaledTransport(
    {
      post: async (text: string) => {
        count += 1;
        said.push(`post ${name}-${count}: ${text}`);
        return `${name}-${count}`;
      },
      edit: async (id: string, text: string) => void said.push(`edit ${id}: ${text}`),
    },
    journal,
    intendAhead,
  );
  return {
    start: async () => {},
    append: async (delta) => void (await transport.post(delta)),
    activity: async () => {},
    attach: async () => {},
    finish: async () => {},
    fail: async () => {},
  };
}

/** `intendAhead`: each part writes its first post's intent as it is made (Discord's parts). */
async function playTwoParts(
  journal: ReplyJournal,
  said: string[],
  intendAhead = false,
): Promise<void> {
  const sink = withHandoffs(
    (part) => messagePart(said, 'first', part, intendAhead),
    (persona, part) => messagePart(said, persona?.name ?? 'first', part, intendAhead),
    journal,
  );
  await sink.start();
  await sink.append('one');
  await sink.append('two');
  await sink.handOff({ name: 'Analyst' });
  await sink.append('three');
  await sink.finish();
}

describe('withHandoffs and the reply journal', () => {
  it('journals each part’s messages after the earlier parts’', async () => {
    const { journal, recorded } = memoryJournal();

    await playTwoParts(journal, []);

    expect([...recorded.entries()]).toEqual([
      [0, 'first-1'],
      [1, 'first-2'],
      [2, 'first-3'],
      [3, 'Analyst-1'],
    ]);
  });

  it('edits every part’s messages on a retry, the handed-over one included, and posts none', async () => {
    const { journal } = memoryJournal(['m0', 'm1', 'm2', 'm3']);
    const said: string[] = [];

    await playTwoParts(journal, said);

    expect(said.filter((line) => line.startsWith('post'))).toEqual([]);
    expect(said.at(-1)).toBe('edit m3: three');
  });

  it('edits the handed-over part on a retry when parts write their intents ahead', async () => {
    const { journal } = memoryJournal(['m0', 'm1', 'm2', 'm3']);
    const said: string[] = [];

    await playTwoParts(journal, said, true);

    expect(said.filter((line) => line.startsWith('post'))).toEqual([]);
    expect(said.at(-1)).toBe('edit m3: three');
  });

  it('journals each part after the earlier ones when parts write their intents ahead', async () => {
    const { journal, recorded } = memoryJournal();

    await playTwoParts(journal, [], true);

    expect([...recorded.values()]).toEqual(['first-1', 'first-2', 'first-3', 'Analyst-1']);
  });
});
