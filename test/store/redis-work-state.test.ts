import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import type { WorkState } from '../../src/queue/work-state.js';
import { createRedisConversationStore } from '../../src/store/redis-store.js';
import { createRedisWorkState } from '../../src/store/redis-work-state.js';
import type { ConversationStore } from '../../src/store/store.js';
import { redisUrl, uniqueKeyPrefix } from '../setup/redis.js';
import { threadRef } from '../support/messages.js';
import { CONTRACT_LIMITS } from './conversation-store.contract.js';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((state) => state.close()));
});

function open(keyPrefix = uniqueKeyPrefix()): WorkState {
  const state = createRedisWorkState({ url: redisUrl(), keyPrefix, logger: silentLogger });
  opened.push(state);
  return state;
}

/** A store on the same keys: its admissions write the ledger's entries (their receipts). */
function openStore(keyPrefix: string): ConversationStore {
  const store = createRedisConversationStore({
    url: redisUrl(),
    limits: CONTRACT_LIMITS,
    keyPrefix,
    logger: silentLogger,
  });
  opened.push(store);
  return store;
}

describe('Redis work state', () => {
  it('starts a first attempt’s journal empty without reading it', async () => {
    const work = open();
    const earlier = await work.journal('job-0', 'thread-0');
    await earlier.record(0, 'm0');

    const fresh = await work.journal('job-fresh', 'thread-0', true);

    expect(fresh.posted).toEqual([]);
    expect(fresh.isUnsure).toBe(false);
  });

  it('keeps a job journal and the thread’s last post across readers', async () => {
    const work = open();
    const journal = await work.journal('job-1', 'thread-1');
    await journal.intend(0);
    const unsure = await work.journal('job-1', 'thread-1');
    await journal.record(0, 'm1');
    await journal.intend(1);
    await journal.record(1, 'm2');
    const sure = await work.journal('job-1', 'thread-1');
    const other = await work.journal('job-2', 'thread-1');

    expect(unsure).toMatchObject({ posted: [], isUnsure: true });
    expect(sure).toMatchObject({ posted: ['m1', 'm2'], isUnsure: false, lastInThread: 'm2' });
    expect(other).toMatchObject({ posted: [], isUnsure: false, lastInThread: 'm2' });
  });

  it('keeps each handed-over part’s messages in slots of its own', async () => {
    const work = open();
    const first = await work.journal('job-parts', 'thread-parts');
    await first.record(0, 'm0');
    await first.record(1, 'm1');
    await first.part(1).intend(0);
    const unsure = await work.journal('job-parts', 'thread-parts');
    await first.part(1).record(0, 'p0');
    await first.part(2).record(0, 'q0');
    const sure = await work.journal('job-parts', 'thread-parts');

    expect(unsure).toMatchObject({
      posted: ['m0', 'm1'],
      isUnsure: true,
      resumeAt: { part: 1, index: 0 },
      lastRecorded: 'm1',
    });
    expect(unsure.part(1).posted).toEqual([]);
    expect(sure).toMatchObject({
      posted: ['m0', 'm1'],
      isUnsure: false,
      resumeAt: { part: 0, index: 2 },
      lastRecorded: 'q0',
      lastInThread: 'q0',
    });
    expect(sure.part(1).posted).toEqual(['p0']);
    expect(sure.part(2).posted).toEqual(['q0']);
    expect(sure.part(3).posted).toEqual([]);
  });

  it('keeps a ledger of answers under way: due ones are claimed once, leased, and forgotten', async () => {
    const keyPrefix = uniqueKeyPrefix();
    const { ledger } = open(keyPrefix);
    const store = openStore(keyPrefix);
    const now = Date.now();
    const hold = (jobId: string, dueAt: number) =>
      store.admit(threadRef(jobId), `delivery:${jobId}`, 60_000, {
        receipt: { jobId, job: `{"job":"${jobId}"}`, dueAt },
      });
    await hold('alive', now + 60_000);
    await hold('dead', now - 1);
    await hold('ended', now - 1);
    await ledger.letGo('ended');
    // Only entries still held are pushed back.
    await ledger.renew(['alive', 'ended'], now + 120_000);

    const claimed = await ledger.claimDue(now, now + 30_000, 10);
    const again = await ledger.claimDue(now, now + 30_000, 10);
    const later = await ledger.claimDue(now + 60_000, now + 90_000, 10);

    expect(claimed).toEqual([{ jobId: 'dead', job: '{"job":"dead"}' }]);
    expect(again).toEqual([]);
    expect(later).toEqual([{ jobId: 'dead', job: '{"job":"dead"}' }]);
    expect(await ledger.claimDue(now + 200_000, now + 300_000, 10)).toEqual([
      { jobId: 'dead', job: '{"job":"dead"}' },
      { jobId: 'alive', job: '{"job":"alive"}' },
    ]);
  });
});
