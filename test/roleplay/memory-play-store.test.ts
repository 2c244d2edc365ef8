import { describe, expect, it } from 'vitest';
import { threadKey } from '../../src/core/model.js';
import { createMemoryPlayStore } from '../../src/roleplay/memory-play-store.js';
import { describePlayStoreContract, nextTurn, samplePlay } from './play-store.contract.js';

describePlayStoreContract('memory play store', () => createMemoryPlayStore());

describe('memory play store', () => {
  it('forgets a play once its ttl has passed since the last write', async () => {
    let clock = 0;
    const store = createMemoryPlayStore({ ttlMs: 1_000, now: () => clock });
    const play = samplePlay();
    await store.create(play);
    clock += 900;
    await store.replace(play, nextTurn(play));

    clock += 900;
    const kept = await store.get(threadKey(play.thread));
    clock += 200;

    expect(kept).toEqual(nextTurn(play));
    expect(await store.get(threadKey(play.thread))).toBeUndefined();
    expect(await store.running()).toEqual([]);
    expect(await store.create(play)).toBe(true);
  });
});
