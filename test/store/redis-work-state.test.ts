import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import type { WorkState } from '../../src/queue/work-state.js';
import { createRedisWorkState } from '../../src/store/redis-work-state.js';
import { redisUrl, uniqueKeyPrefix } from '../setup/redis.js';

const opened: WorkState[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((state) => state.close()));
});

function open(): WorkState {
  const state = createRedisWorkState({
    url: redisUrl(),
    keyPrefix: uniqueKeyPrefix(),
    logger: silentLogger,
  });
  opened.push(state);
  return state;
}

describe('Redis work state', () => {
  it('issues tickets in order per thread, independently across threads', async () => {
    const work = open();

    const tickets = [
      await work.ticket('a'),
      await work.ticket('a'),
      await work.ticket('b'),
      await work.ticket('a'),
    ];

    expect(tickets).toEqual([1, 2, 1, 3]);
  });

  it('lets a ticket go only once every earlier one is complete, in whatever order they complete', async () => {
    const work = open();
    for (let index = 0; index < 3; index += 1) await work.ticket('t');

    const before = [
      await work.isTurn('t', 1),
      await work.isTurn('t', 2),
      await work.isTurn('t', 3),
    ];
    await work.complete('t', 2);
    const afterTwo = await work.isTurn('t', 3);
    await work.complete('t', 1);
    const afterOne = await work.isTurn('t', 3);

    expect(before).toEqual([true, false, false]);
    expect(afterTwo).toBe(false);
    expect(afterOne).toBe(true);
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
});
