import { expect, it } from 'vitest';
import type { Turn } from '../../src/store/store.js';
import { threadRef } from '../support/messages.js';
import type { OpenStore } from './conversation-store.contract.js';

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

  it('keeps threads turns apart', async () => {
    const store = await open();
    const held = await store.takeTurn(thread);

    const elsewhere = await store.takeTurn(threadRef('elsewhere'));

    await elsewhere.release();
    await held.release();
  });
}
