import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '../../src/core/model.js';
import type { ConversationStore, HistoryLimits } from '../../src/store/store.js';
import { threadRef, userMessage } from '../support/messages.js';
import {
  describeBudgetContract,
  describeCutContract,
} from './conversation-store-budget.contract.js';
import { describeForgetContract } from './conversation-store-forget.contract.js';
import { describeThreadStateContract } from './conversation-store-thread.contract.js';
import { describeTurnContract } from './conversation-store-turns.contract.js';

/** Opens a store under test; `now` is the clock a store with an injectable clock must use. */
export type MakeStore = (
  limits: HistoryLimits,
  now?: () => number,
) => Promise<ConversationStore> | ConversationStore;

export const CONTRACT_LIMITS: HistoryLimits = { maxMessages: 50, maxChars: 10_000, ttlMs: 60_000 };

// Expiry tests use real time on stores that cannot take a clock (Redis): a short TTL, polled for.
const SHORT_TTL_MS = 60;
const EXPIRY_WAIT = { timeout: 5_000, interval: 20 } as const;

const texts = (messages: readonly Message[]) => messages.map((message) => message.text);

/** The ConversationStore contract: every implementation must pass it unchanged. */
export function describeConversationStoreContract(name: string, make: MakeStore): void {
  describe(`${name} honours the ConversationStore contract`, () => {
    let clock = 0;
    const opened: ConversationStore[] = [];
    const open = async (limits: HistoryLimits = CONTRACT_LIMITS) => {
      const store = await make(limits, () => clock);
      opened.push(store);
      return store;
    };
    /** Lets time pass: the injected clock jumps, real time is then polled for by the caller. */
    const advance = (ms: number) => {
      clock += ms;
    };

    beforeEach(() => {
      clock = Date.now();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    describeClaims(open, advance);
    describeHistory(open, advance);
    describeBudgetContract(open);
    describeCutContract(open);
    describeSettings(open);
    describeTurnContract(open);
    describeForgetContract(open);
    describeThreadStateContract(open);

    it('answers ping', async () => {
      const store = await open();

      expect(await store.ping()).toBe(true);
    });
  });
}

/** Opens a store for one test; the contract closes it afterwards. */
export type OpenStore = (limits?: HistoryLimits) => Promise<ConversationStore>;

function describeClaims(open: OpenStore, advance: (ms: number) => void): void {
  it('grants a claim exactly once', async () => {
    const store = await open();

    const answers = [await store.claim('evt-1', 60_000), await store.claim('evt-1', 60_000)];

    expect(answers).toEqual([true, false]);
    expect(await store.claim('evt-2', 60_000)).toBe(true);
  });

  it('tells whether a claim holds, without making one', async () => {
    const store = await open();

    const before = await store.isClaimed('evt-seen');
    await store.claim('evt-seen', 60_000);

    expect([before, await store.isClaimed('evt-seen'), await store.isClaimed('evt-other')]).toEqual(
      [false, true, false],
    );
    expect(await store.claim('evt-other', 60_000)).toBe(true);
  });

  it('grants one of 20 simultaneous claims', async () => {
    const store = await open();

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => store.claim('evt-race', 60_000)),
    );

    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('grants a claim again once its ttl has passed', async () => {
    const store = await open();
    expect(await store.claim('evt-ttl', SHORT_TTL_MS)).toBe(true);

    advance(SHORT_TTL_MS);

    await vi.waitFor(
      async () => expect(await store.claim('evt-ttl', SHORT_TTL_MS)).toBe(true),
      EXPIRY_WAIT,
    );
  });

  it('refuses a claim without a key or a positive ttl', async () => {
    const store = await open();

    await expect(store.claim('', 1_000)).rejects.toThrow();
    await expect(store.claim('evt-bad', 0)).rejects.toThrow();
    await expect(store.claim('evt-bad', Number.NaN)).rejects.toThrow();
  });
}

function describeHistory(open: OpenStore, advance: (ms: number) => void): void {
  const thread = threadRef('history');

  it('returns the kept history from append', async () => {
    const store = await open();
    const first = userMessage('one');
    const second = userMessage('two', {
      attachments: [{ name: 'a.png', ref: 'F0A', mimeType: 'image/png' }],
    });

    await store.append(thread, [first]);
    const kept = await store.append(thread, [second]);

    expect(kept).toEqual([first, second]);
    expect(await store.history(thread)).toEqual([first, second]);
    expect(await store.historyLength(thread)).toBe(2);
  });

  it('appends only to a history that has begun when asked to (appendIf ifStarted)', async () => {
    const store = await open();
    const first = userMessage('one');
    const second = userMessage('two');

    await expect(store.appendIf(thread, [first], { ifStarted: true })).resolves.toBeUndefined();
    expect(await store.historyLength(thread)).toBe(0);

    await store.append(thread, [first]);
    await expect(store.appendIf(thread, [second], { ifStarted: true })).resolves.toEqual([
      first,
      second,
    ]);
    expect(await store.history(thread)).toEqual([first, second]);
  });

  it('appends for an admitted place only while it is first in line (appendIf whileFirst)', async () => {
    const store = await open();
    const first = await store.admit(thread, 'claim:first', 60_000);
    const second = await store.admit(thread, 'claim:second', 60_000);
    if (first === undefined || second === undefined) throw new Error('not admitted');
    const early = userMessage('early');
    const late = userMessage('late');

    await expect(store.appendIf(thread, [late], { whileFirst: second })).resolves.toBeUndefined();
    await expect(store.appendIf(thread, [early], { whileFirst: first })).resolves.toEqual([early]);
    const turn = await store.takeTurn(thread, { place: first });
    await turn.release();
    await expect(store.appendIf(thread, [late], { whileFirst: second })).resolves.toEqual([
      early,
      late,
    ]);
  });

  it('keeps only the newest maxMessages', async () => {
    const store = await open({ ...CONTRACT_LIMITS, maxMessages: 3 });

    await store.append(thread, [userMessage('1'), userMessage('2')]);
    const kept = await store.append(thread, [userMessage('3'), userMessage('4'), userMessage('5')]);

    expect(texts(kept)).toEqual(['3', '4', '5']);
    expect(texts(await store.history(thread))).toEqual(['3', '4', '5']);
  });

  it('forgets a cleared thread and keeps threads apart', async () => {
    const store = await open();
    const other = threadRef('other');
    await store.append(thread, [userMessage('here')]);
    await store.append(other, [userMessage('there')]);

    await store.clear(thread);

    expect(await store.history(thread)).toEqual([]);
    expect(await store.historyLength(thread)).toBe(0);
    expect(texts(await store.history(other))).toEqual(['there']);
  });

  it('forgets a thread untouched for ttlMs', async () => {
    const store = await open({ ...CONTRACT_LIMITS, ttlMs: SHORT_TTL_MS });
    await store.append(thread, [userMessage('fleeting')]);

    advance(SHORT_TTL_MS);

    await vi.waitFor(async () => expect(await store.historyLength(thread)).toBe(0), EXPIRY_WAIT);
  });

  it('refuses a malformed message and writes nothing of its batch', async () => {
    const store = await open();
    const malformed = { ...userMessage('bad'), role: 'robot' } as unknown as Message;
    // NaN would come back from JSON as null: not a message any more.
    const unserializable = userMessage('nan', { at: Number.NaN });

    await expect(store.append(thread, [userMessage('fine'), malformed])).rejects.toThrow(
      /invalid message/,
    );
    await expect(store.append(thread, [unserializable])).rejects.toThrow(/invalid message/);
    expect(await store.historyLength(thread)).toBe(0);
  });
}

function describeSettings(open: OpenStore): void {
  it('reads the settings of several scopes in the order asked', async () => {
    const store = await open();
    await store.updateSettings('console:W:C', { agentId: 'ag-channel' });
    await store.updateSettings('console:W:C:T', { agentId: 'ag-thread' });

    const settings = await store.settings(['console:W:C:T', 'console:W:nowhere', 'console:W:C']);

    expect(settings).toEqual([{ agentId: 'ag-thread' }, {}, { agentId: 'ag-channel' }]);
    expect(await store.settings([])).toEqual([]);
  });

  it('sets and removes a setting, returning the merged result', async () => {
    const store = await open();

    const set = await store.updateSettings('scope', { agentId: 'ag-1' });
    const unchanged = await store.updateSettings('scope', {});
    const removed = await store.updateSettings('scope', { agentId: null });

    expect([set, unchanged, removed]).toEqual([{ agentId: 'ag-1' }, { agentId: 'ag-1' }, {}]);
    expect(await store.settings(['scope'])).toEqual([{}]);
  });

  it('refuses a settings patch of the wrong type or an empty scope', async () => {
    const store = await open();

    await expect(
      store.updateSettings('scope', { agentId: 5 } as unknown as { agentId: string }),
    ).rejects.toThrow();
    await expect(store.updateSettings('', { agentId: 'ag-1' })).rejects.toThrow();
    await expect(store.settings([''])).rejects.toThrow();
  });
}
