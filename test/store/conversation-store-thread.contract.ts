import { expect, it } from 'vitest';
import { threadRef, userMessage } from '../support/messages.js';
import type { OpenStore } from './conversation-store.contract.js';

/** A thread's standing: joined, reset cut-off, refused messages. */
export function describeThreadStateContract(open: OpenStore): void {
  it('knows nothing of a thread Parley never joined', async () => {
    const store = await open();

    expect(await store.threadState(threadRef('stranger'))).toEqual({
      isJoined: false,
      resetAt: undefined,
      refused: [],
    });
  });

  it('keeps a thread joined, apart from its history', async () => {
    const store = await open();
    const thread = threadRef('joined');

    await store.joinThread(thread);
    await store.clear(thread);

    expect((await store.threadState(thread)).isJoined).toBe(true);
    expect((await store.threadState(threadRef('elsewhere'))).isJoined).toBe(false);
  });

  it('resets a thread: history forgotten, cut-off recorded, Parley still in', async () => {
    const store = await open();
    const thread = threadRef('reset');
    await store.append(thread, [userMessage('before')]);
    await store.forget(thread, ['refused-before']);

    await store.resetThread(thread, 1_700_000_123_456);

    expect(await store.historyLength(thread)).toBe(0);
    expect(await store.threadState(thread)).toEqual({
      isJoined: true,
      resetAt: 1_700_000_123_456,
      refused: [],
    });
  });

  it('remembers refused messages', async () => {
    const store = await open();
    const thread = threadRef('refused');
    const refused = userMessage('rejected');
    await store.append(thread, [refused]);

    await store.forget(thread, [refused.id]);

    expect((await store.threadState(thread)).refused).toEqual([refused.id]);
  });
}
