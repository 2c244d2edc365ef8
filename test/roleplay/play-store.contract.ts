import { describe, expect, it } from 'vitest';
import { cutText } from '../../src/agent/shape-messages.js';
import { channelKey, type ThreadRef, threadKey } from '../../src/core/model.js';
import type { Line, Play, PlayStore } from '../../src/roleplay/play.js';
import { PLAY_MAX_INTERJECTION_CHARS } from '../../src/roleplay/play-input.js';
import { threadRef } from '../support/messages.js';

/** Opens a fresh, empty store for one test; the caller's file closes it if it must. */
export type MakePlayStore = () => PlayStore | Promise<PlayStore>;

/** A running play just begun in a thread. */
export function samplePlay(
  thread: ThreadRef = threadRef('play'),
  overrides: Partial<Play> = {},
): Play {
  return {
    thread,
    cast: [
      { agentId: 'ag:one', name: 'Holmes', avatarUrl: 'https://example.test/holmes.png' },
      { agentId: 'ag:two', name: 'Watson' },
    ],
    topic: 'the case of the missing teapot',
    maxTurns: 6,
    turn: 0,
    status: 'running',
    transcript: [],
    startedBy: { id: 'U1', name: 'Ada' },
    startedAt: 1_700_000_000_000,
    version: 1,
    ...overrides,
  };
}

/** The play one actor line later, as the engine would write it. */
export function nextTurn(play: Play, overrides: Partial<Play> = {}): Play {
  const line: Line = {
    kind: 'actor',
    actor: play.turn % 2 === 0 ? 0 : 1,
    text: 'Elementary.',
    at: 1,
  };
  return {
    ...play,
    turn: play.turn + 1,
    transcript: [...play.transcript, line],
    version: play.version + 1,
    ...overrides,
  };
}

const lines = (count: number): Line[] =>
  Array.from({ length: count }, (_, at) => ({ kind: 'actor', actor: 0, text: 'x', at }));

/** Malformed plays, as a caller with a bug might hand them over (hence the casts). */
const INVALID_PLAYS: readonly (readonly [string, Partial<Record<keyof Play, unknown>>])[] = [
  ['a cast of one', { cast: [{ agentId: 'ag:one', name: 'Holmes' }] }],
  [
    'a cast member without an agent',
    { cast: [{ name: 'Holmes' }, { agentId: 'ag:two', name: 'W' }] },
  ],
  ['zero turns allowed', { maxTurns: 0 }],
  ['a fractional turn limit', { maxTurns: 2.5 }],
  ['a turn past the limit', { turn: 7 }],
  ['a negative turn', { turn: -1 }],
  ['a topic that is not text', { topic: 42 }],
  ['an unknown status', { status: 'paused' }],
  ['a line of unknown kind', { transcript: [{ kind: 'bot', text: 'hi', at: 1 }] }],
  ['more than 500 lines', { transcript: lines(501) }],
  [
    'more than a megabyte',
    { transcript: [{ kind: 'actor', actor: 1, text: 'x'.repeat(1_100_000), at: 1 }] },
  ],
  ['no thread', { thread: undefined }],
];

const invalid = (overrides: Partial<Record<keyof Play, unknown>>, base: Play): Play =>
  ({ ...base, ...overrides }) as unknown as Play;

/** The PlayStore contract: every implementation must pass it unchanged. */
export function describePlayStoreContract(name: string, make: MakePlayStore): void {
  describe(`${name} honours the PlayStore contract`, () => {
    describeCreate(make);
    describeReplace(make);
    describeRunning(make);
    describeValidation(make);
    describeInterjections(make);
    describePerPerson(make);
  });
}

/** ROLEPLAY_MAX_PER_USER: running plays counted per starter, in the store. */
function describePerPerson(make: MakePlayStore): void {
  const byAda = (thread: string) => samplePlay(threadRef(thread));

  it('creates within a starter’s count, and refuses past it', async () => {
    const store = await make();

    const outcomes = [
      await store.createWithin(byAda('one'), 2),
      await store.createWithin(byAda('two'), 2),
      await store.createWithin(byAda('three'), 2),
      await store.createWithin(byAda('one'), 5),
    ];

    expect(outcomes).toEqual(['created', 'created', 'over-limit', 'exists']);
    expect(await store.get(threadKey(threadRef('three')))).toBeUndefined();
    expect([...(await store.runningBy('console:U1'))].sort()).toEqual(
      [threadKey(threadRef('one')), threadKey(threadRef('two'))].sort(),
    );
  });

  it('counts only running plays, and each starter apart', async () => {
    const store = await make();
    const first = byAda('one');
    await store.createWithin(first, 1);
    await store.replace(first, { ...first, status: 'done', version: 2 });

    const again = await store.createWithin(byAda('two'), 1);
    const other = await store.createWithin(
      samplePlay(threadRef('three'), { startedBy: { id: 'U2', name: 'Bo' } }),
      1,
    );

    expect([again, other]).toEqual(['created', 'created']);
    expect(await store.runningBy('console:U1')).toEqual([threadKey(threadRef('two'))]);
    expect(await store.runningBy('slack:U1')).toEqual([]);
  });
}

function describeInterjections(make: MakePlayStore): void {
  it('cuts an over-long interjection when it stores it, with a note at the cut', async () => {
    const store = await make();
    const play = samplePlay(threadRef('interjection'));
    await store.create(play);
    const said = 'Watson! '.repeat(2_000);
    const line: Line = {
      kind: 'human',
      id: 'm1',
      author: { id: 'U2', name: 'Lestrade' },
      text: said,
      at: 2,
    };
    const next = { ...play, transcript: [line], version: play.version + 1 };

    await store.replace(play, next);

    const [stored] = (await store.get(threadKey(play.thread)))?.transcript ?? [];
    expect(stored?.text).toBe(cutText(said, said.length - PLAY_MAX_INTERJECTION_CHARS));
    expect(stored?.text.length).toBe(PLAY_MAX_INTERJECTION_CHARS);
  });
}

function describeCreate(make: MakePlayStore): void {
  it('reads back the play it created', async () => {
    const store = await make();
    const play = samplePlay();

    const created = await store.create(play);

    expect(created).toBe(true);
    expect(await store.get(threadKey(play.thread))).toEqual(play);
  });

  it('refuses a second play in the same thread and keeps the first', async () => {
    const store = await make();
    const first = samplePlay();
    await store.create(first);

    const created = await store.create(samplePlay(first.thread, { topic: 'another' }));

    expect(created).toBe(false);
    expect(await store.get(threadKey(first.thread))).toEqual(first);
  });

  it('knows nothing of a thread without a play', async () => {
    const store = await make();

    expect(await store.get(threadKey(threadRef('nobody')))).toBeUndefined();
  });

  it('keeps plays in different threads apart', async () => {
    const store = await make();
    const one = samplePlay(threadRef('one'));
    const two = samplePlay(threadRef('two'), { topic: 'a second case' });

    const created = [await store.create(one), await store.create(two)];
    await store.replace(one, nextTurn(one));

    expect(created).toEqual([true, true]);
    expect(await store.get(threadKey(one.thread))).toEqual(nextTurn(one));
    expect(await store.get(threadKey(two.thread))).toEqual(two);
  });
}

function describeReplace(make: MakePlayStore): void {
  it('replaces a play written from the current version', async () => {
    const store = await make();
    const play = samplePlay();
    await store.create(play);
    const next = nextTurn(play);

    const replaced = await store.replace(play, next);

    expect(replaced).toBe(true);
    expect(await store.get(threadKey(play.thread))).toEqual(next);
  });

  it('refuses a replace based on a stale version and keeps the newer play', async () => {
    const store = await make();
    const play = samplePlay();
    await store.create(play);
    const second = nextTurn(play);
    await store.replace(play, second);

    const replaced = await store.replace(play, nextTurn(play, { topic: 'stale' }));

    expect(replaced).toBe(false);
    expect(await store.get(threadKey(play.thread))).toEqual(second);
  });

  it('refuses to replace a play that does not exist', async () => {
    const store = await make();
    const play = samplePlay();

    const replaced = await store.replace(play, nextTurn(play));

    expect(replaced).toBe(false);
    expect(await store.get(threadKey(play.thread))).toBeUndefined();
  });

  it('lets exactly one of two concurrent replaces from the same version win', async () => {
    const store = await make();
    const play = samplePlay();
    await store.create(play);
    const candidates = [nextTurn(play, { topic: 'first' }), nextTurn(play, { topic: 'second' })];

    const answers = await Promise.all(candidates.map((next) => store.replace(play, next)));

    expect(answers.filter(Boolean)).toHaveLength(1);
    const winner = candidates[answers.indexOf(true)];
    expect(await store.get(threadKey(play.thread))).toEqual(winner);
  });
}

function describeRunning(make: MakePlayStore): void {
  it.each(['done', 'stopped', 'failed'] as const)(
    'lists a running play until it is %s',
    async (status) => {
      const store = await make();
      const play = samplePlay();
      await store.create(play);
      const listed = [await store.running(), await store.runningIn(channelKey(play.thread))];

      await store.replace(play, nextTurn(play, { status, endReason: 'the end' }));

      expect(listed).toEqual([[threadKey(play.thread)], [threadKey(play.thread)]]);
      expect(await store.running()).toEqual([]);
      expect(await store.runningIn(channelKey(play.thread))).toEqual([]);
    },
  );

  it('lists running plays by channel', async () => {
    const store = await make();
    const here = [samplePlay(threadRef('a')), samplePlay(threadRef('b'))];
    const elsewhere = samplePlay(threadRef('a', { channel: 'C-other' }));
    for (const play of [...here, elsewhere]) await store.create(play);

    const inChannel = await store.runningIn(channelKey(threadRef()));
    const inOther = await store.runningIn(channelKey(elsewhere.thread));
    const all = await store.running();

    expect([...inChannel].sort()).toEqual(here.map((play) => threadKey(play.thread)).sort());
    expect(inOther).toEqual([threadKey(elsewhere.thread)]);
    expect([...all].sort()).toEqual(
      [...here, elsewhere].map((play) => threadKey(play.thread)).sort(),
    );
    expect(await store.runningIn(channelKey(threadRef('a', { workspace: 'W-2' })))).toEqual([]);
  });

  it('keeps a play listed while it stays running', async () => {
    const store = await make();
    const play = samplePlay();
    await store.create(play);

    await store.replace(play, nextTurn(play));

    expect(await store.running()).toEqual([threadKey(play.thread)]);
  });
}

function describeValidation(make: MakePlayStore): void {
  it.each(INVALID_PLAYS)('refuses to create a play with %s', async (_, overrides) => {
    const store = await make();
    const play = invalid(overrides, samplePlay());

    await expect(store.create(play)).rejects.toMatchObject({ code: 'INTERNAL' });

    expect(await store.get(threadKey(threadRef('play')))).toBeUndefined();
    expect(await store.running()).toEqual([]);
  });

  it.each(INVALID_PLAYS)('refuses to replace a play with one with %s', async (_, overrides) => {
    const store = await make();
    const play = samplePlay();
    await store.create(play);

    await expect(store.replace(play, invalid(overrides, nextTurn(play)))).rejects.toMatchObject({
      code: 'INTERNAL',
    });

    expect(await store.get(threadKey(play.thread))).toEqual(play);
  });

  it.each([
    ['skips a version', (play: Play) => nextTurn(play, { version: play.version + 2 })],
    ['keeps the version', (play: Play) => nextTurn(play, { version: play.version })],
    ['moves to another thread', (play: Play) => nextTurn(play, { thread: threadRef('moved') })],
  ])('refuses a replace that %s', async (_, successor) => {
    const store = await make();
    const play = samplePlay();
    await store.create(play);

    await expect(store.replace(play, successor(play))).rejects.toMatchObject({ code: 'INTERNAL' });

    expect(await store.get(threadKey(play.thread))).toEqual(play);
    expect(await store.get(threadKey(threadRef('moved')))).toBeUndefined();
  });
}
