import { describe, expect, it } from 'vitest';
import { type ReplyPart, withHandoffs } from '../../src/core/handoff-sink.js';
import { journaledTransport, type ReplyJournal } from '../../src/core/replies.js';

/**
 * A reply journal in memory, as a job's attempts see it: what earlier attempts posted, part by
 * part (each part has slots of its own), recorded as `<part>.<index>`.
 */
function memoryJournal(postedByPart: readonly (readonly string[])[] = []) {
  const recorded = new Map<string, string>();
  for (const [part, ids] of postedByPart.entries())
    for (const [index, id] of ids.entries()) recorded.set(`${part}.${index}`, id);
  const partJournal = (part: number): ReplyJournal => ({
    posted: postedByPart[part] ?? [],
    intend: async () => {},
    record: async (index, id) => void recorded.set(`${part}.${index}`, id),
    files: new Set(),
    recordFile: async () => {},
    part: partJournal,
  });
  return { journal: partJournal(0), recorded };
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
  it('journals each part’s messages in slots of its own', async () => {
    const { journal, recorded } = memoryJournal();

    await playTwoParts(journal, []);

    expect([...recorded.entries()]).toEqual([
      ['0.0', 'first-1'],
      ['0.1', 'first-2'],
      ['0.2', 'first-3'],
      ['1.0', 'Analyst-1'],
    ]);
  });

  it('edits every part’s messages on a retry, the handed-over one included, and posts none', async () => {
    const { journal } = memoryJournal([['m0', 'm1', 'm2'], ['m3']]);
    const said: string[] = [];

    await playTwoParts(journal, said);

    expect(said.filter((line) => line.startsWith('post'))).toEqual([]);
    expect(said.at(-1)).toBe('edit m3: three');
  });

  it('edits the handed-over part on a retry when parts write their intents ahead', async () => {
    const { journal } = memoryJournal([['m0', 'm1', 'm2'], ['m3']]);
    const said: string[] = [];

    await playTwoParts(journal, said, true);

    expect(said.filter((line) => line.startsWith('post'))).toEqual([]);
    expect(said.at(-1)).toBe('edit m3: three');
  });

  it('never writes a longer first part over the handed-over part’s message on a retry', async () => {
    // The first attempt's first part took two messages; this time the agent writes three.
    const { journal, recorded } = memoryJournal([['m0', 'm1'], ['m3']]);
    const said: string[] = [];

    await playTwoParts(journal, said);

    expect(said.filter((line) => line.includes('m3'))).toEqual(['edit m3: three']);
    expect(said.filter((line) => line.startsWith('post'))).toEqual([
      expect.stringMatching(/^post first-1: .*handed over to Analyst/s),
    ]);
    expect(recorded.get('0.2')).toBe('first-1');
    expect(recorded.get('1.0')).toBe('m3');
  });

  it('journals each part in its own slots when parts write their intents ahead', async () => {
    const { journal, recorded } = memoryJournal();

    await playTwoParts(journal, [], true);

    expect([...recorded.keys()]).toEqual(['0.0', '0.1', '0.2', '1.0']);
    expect([...recorded.values()]).toEqual(['first-1', 'first-2', 'first-3', 'Analyst-1']);
  });
});
