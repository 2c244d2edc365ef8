import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Turn } from '../../src/store/store.js';
import { assistantLine, threadRef, userMessage } from '../support/messages.js';
import { CONTRACT_LIMITS, type OpenStore } from './conversation-store.contract.js';

// Long enough for a wrongly granted turn to show up (a store answers in milliseconds); only ever
// a window in which nothing must happen, so a slow machine cannot make a passing test fail.
const GRACE_MS = 50;

const grace = () => new Promise((resolve) => setTimeout(resolve, GRACE_MS));

/** The turn-taking half of the ConversationStore contract. */
export function describeTurnContract(open: OpenStore): void {
  const thread = threadRef('turns');

  it('makes a second taker wait until the first releases', async () => {
    const store = await open();
    const first = await store.takeTurn(thread);
    const events: string[] = [];
    const second = store.takeTurn(thread).then((turn) => {
      events.push('second holds');
      return turn;
    });

    await grace();
    events.push('first releases');
    await first.release();
    const turn = await second;

    expect(events).toEqual(['first releases', 'second holds']);
    expect(turn.signal.aborted).toBe(false);
    await turn.release();
  });

  it('hands the turn on in arrival order', async () => {
    const store = await open();
    const first = await store.takeTurn(thread);
    const order: number[] = [];

    const takers = [0, 1, 2, 3, 4].map((index) =>
      store.takeTurn(thread).then(async (turn) => {
        order.push(index);
        await turn.release();
      }),
    );
    await first.release();
    await Promise.all(takers);

    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('lets a waiting taker give up without blocking those behind it', async () => {
    const store = await open();
    const first = await store.takeTurn(thread);
    const controller = new AbortController();
    const abandoned = store.takeTurn(thread, { signal: controller.signal });
    const third = store.takeTurn(thread);

    await grace();
    controller.abort();

    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    await first.release();
    await (await third).release();
  });

  it('refuses a taker whose signal has already aborted', async () => {
    const store = await open();

    await expect(store.takeTurn(thread, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    await (await store.takeTurn(thread)).release();
  });

  it('ignores a second release of the same turn', async () => {
    const store = await open();
    const first = await store.takeTurn(thread);
    await first.release();
    await first.release();
    const second: Turn = await store.takeTurn(thread);
    const events: string[] = [];

    await first.release();
    const third = store.takeTurn(thread).then((turn) => {
      events.push('third holds');
      return turn;
    });
    await grace();
    events.push('second releases');
    await second.release();
    await (await third).release();

    expect(events).toEqual(['second releases', 'third holds']);
  });

  it('records an answer as the turn is let go: the next taker reads it, within the limits', async () => {
    const store = await open({ ...CONTRACT_LIMITS, maxMessages: 2 });
    await store.append(thread, [userMessage('one'), userMessage('two')]);
    const first = await store.takeTurn(thread);
    const readByNext = store
      .takeTurn(thread)
      .then(async (turn) => ({ turn, history: await store.history(thread) }));

    await first.release([assistantLine('re: two')]);
    await first.release([assistantLine('said twice')]);
    const next = await readByNext;

    expect(next.history.map((line) => line.text)).toEqual(['two', 're: two']);
    await next.turn.release();
    expect((await store.history(thread)).map((line) => line.text)).toEqual(['two', 're: two']);
  });

  it('keeps threads turns apart', async () => {
    const store = await open();
    const held = await store.takeTurn(thread);

    const elsewhere = await store.takeTurn(threadRef('elsewhere'));

    await elsewhere.release();
    await held.release();
  });

  describeAdmission(open);
}

/** Places taken at ingress (`admit`) and adopted later by whichever process answers. */
function describeAdmission(open: OpenStore): void {
  const thread = threadRef('admitted');
  const claimTtl = 60_000;

  it('joins the thread in the same step when asked, new delivery or not', async () => {
    const store = await open();
    const joined = threadRef('admitted-joined');
    const other = threadRef('admitted-not-joined');

    const place = await store.admit(joined, 'delivery:join', claimTtl, { join: true });
    const twin = await store.admit(joined, 'delivery:join', claimTtl, { join: true });
    const plain = await store.admit(other, 'delivery:plain', claimTtl);

    expect(twin).toBeUndefined();
    expect((await store.threadState(joined)).isJoined).toBe(true);
    expect((await store.threadState(other)).isJoined).toBe(false);
    await (await store.takeTurn(joined, { place: place ?? '' })).release();
    await (await store.takeTurn(other, { place: plain ?? '' })).release();
  });

  it('admits a delivery once', async () => {
    const store = await open();

    const first = await store.admit(thread, 'delivery:once', claimTtl);
    const again = await store.admit(thread, 'delivery:once', claimTtl);

    expect(first).toEqual(expect.any(String));
    expect(again).toBeUndefined();
    await (await store.takeTurn(thread, { place: first ?? '' })).release();
  });

  it('keeps admission order whatever order the places are taken up in', async () => {
    const store = await open();
    const [first, second] = [
      await store.admit(thread, 'delivery:a', claimTtl),
      await store.admit(thread, 'delivery:b', claimTtl),
    ];
    const events: string[] = [];

    const later = store.takeTurn(thread, { place: second ?? '' }).then((turn) => {
      events.push('second holds');
      return turn;
    });
    const earlier = await store.takeTurn(thread, { place: first ?? '' });
    events.push('first holds');
    await grace();
    await earlier.release();
    await (await later).release();

    expect(events).toEqual(['first holds', 'second holds']);
  });

  it('puts a taker without a place behind the admitted ones', async () => {
    const store = await open();
    const admitted = await store.admit(thread, 'delivery:c', claimTtl);
    const events: string[] = [];

    const plain = store.takeTurn(thread).then((turn) => {
      events.push('plain holds');
      return turn;
    });
    const turn = await store.takeTurn(thread, { place: admitted ?? '' });
    events.push('admitted holds');
    await grace();
    await turn.release();
    await (await plain).release();

    expect(events).toEqual(['admitted holds', 'plain holds']);
  });

  it('withdraws an admission: the delivery is new again and its place is gone', async () => {
    const store = await open();
    const place = (await store.admit(thread, 'delivery:withdrawn', claimTtl)) ?? '';

    await store.withdraw(thread, 'delivery:withdrawn', place);
    const turn = await store.takeTurn(thread);
    const again = await store.admit(thread, 'delivery:withdrawn', claimTtl);

    expect(again).toEqual(expect.any(String));
    await turn.release();
    await store.withdraw(thread, 'delivery:withdrawn', again ?? '');
  });

  it('lets an admitted place that nobody takes up lapse on its own', async () => {
    const store = await open();
    await store.admit(thread, 'delivery:lost', claimTtl);

    const turn = await store.takeTurn(thread);

    expect(turn.signal.aborted).toBe(false);
    await turn.release();
  });

  it('takes up a place whose admission (its token chosen by the caller) is still under way', async () => {
    const store = await open();
    const token = randomUUID();

    const admitting = store.admit(thread, 'delivery:ahead', claimTtl, { place: token });
    const taking = store.takeTurn(thread, {
      place: token,
      admitted: admitting.then((place) => place !== undefined),
    });
    const [place, turn] = await Promise.all([admitting, taking]);

    expect(place).toBe(token);
    await turn.release();
    // The place is the admitted one: nothing of it is left in the line.
    await (await store.takeTurn(thread)).release();
  });

  it('refuses the place of a duplicate sent ahead of its admission, leaving nothing in line', async () => {
    const store = await open();
    const first = (await store.admit(thread, 'delivery:twice', claimTtl)) ?? '';
    const token = randomUUID();

    const admitting = store.admit(thread, 'delivery:twice', claimTtl, { place: token });
    const taking = store.takeTurn(thread, {
      place: token,
      admitted: admitting.then((place) => place !== undefined),
    });

    expect(await admitting).toBeUndefined();
    await expect(taking).rejects.toThrow('not admitted');
    await (await store.takeTurn(thread, { place: first })).release();
    const next = await store.takeTurn(thread);
    expect(next.signal.aborted).toBe(false);
    await next.release();
  });

  it('lets a retry take up an abandoned turn ahead of those waiting', async () => {
    const store = await open();
    const place = (await store.admit(thread, 'delivery:handed-back', claimTtl)) ?? '';
    const abandoned = await store.takeTurn(thread, { place });
    const events: string[] = [];
    const waiting = store.takeTurn(thread).then((turn) => {
      events.push('waiting holds');
      return turn;
    });

    abandoned.abandon();
    const retry = await store.takeTurn(thread, { place });
    events.push('retry holds');
    await grace();
    await retry.release();
    await (await waiting).release();

    expect(events).toEqual(['retry holds', 'waiting holds']);
  });
}
