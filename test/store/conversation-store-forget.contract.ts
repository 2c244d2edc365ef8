import { expect, it } from 'vitest';
import { threadRef, userMessage } from '../support/messages.js';
import type { OpenStore } from './conversation-store.contract.js';

/** Forgetting single messages: the half of the contract a refused message relies on. */
export function describeForgetContract(open: OpenStore): void {
  const thread = threadRef('forget');

  it('forgets the messages asked, keeping the others in order', async () => {
    const store = await open();
    const [first, refused, last] = [userMessage('one'), userMessage('two'), userMessage('three')];
    await store.append(thread, [first, refused, last]);

    await store.forget(thread, [refused.id]);

    expect((await store.history(thread)).map((message) => message.text)).toEqual(['one', 'three']);
  });

  it('forgets nothing for an unknown id or an empty thread', async () => {
    const store = await open();
    await store.append(thread, [userMessage('kept')]);

    await store.forget(thread, ['no-such-id']);
    await store.forget(threadRef('empty'), ['no-such-id']);

    expect((await store.history(thread)).map((message) => message.text)).toEqual(['kept']);
    expect(await store.historyLength(threadRef('empty'))).toBe(0);
  });
}
