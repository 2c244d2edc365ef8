import { expect, it } from 'vitest';
import { sentChars } from '../../src/agent/shape-messages.js';
import type { Message } from '../../src/core/model.js';
import { assistantLine, threadRef, userMessage } from '../support/messages.js';
import { CONTRACT_LIMITS, type OpenStore } from './conversation-store.contract.js';

const texts = (messages: readonly Message[]) => messages.map((message) => message.text);
const total = (...messages: readonly Message[]) =>
  messages.reduce((sum, message) => sum + sentChars(message), 0);

/** The character budget: every store counts what a request carries (`sentChars`), the same way. */
export function describeBudgetContract(open: OpenStore): void {
  const thread = threadRef('budget');

  it('drops the oldest messages until what they send fits maxChars', async () => {
    const [a, b, c] = [userMessage('aaaa'), userMessage('bbbb'), userMessage('cccc')];
    const store = await open({ ...CONTRACT_LIMITS, maxChars: total(b, c) });

    const kept = await store.append(thread, [a, b, c]);

    expect(texts(kept)).toEqual(['bbbb', 'cccc']);
  });

  it('counts the speaker’s name and id and the attachment lines, not only the text', async () => {
    const named = userMessage('a', {
      author: { id: `U${'9'.repeat(30)}`, name: 'N'.repeat(60), isBot: false },
    });
    const filed = userMessage('b', {
      attachments: [{ name: `${'f'.repeat(40)}.pdf`, url: `https://files/${'x'.repeat(40)}` }],
    });
    const plain = userMessage('c');
    const roomy = await open({ ...CONTRACT_LIMITS, maxChars: total(filed, plain) });
    const tight = await open({ ...CONTRACT_LIMITS, maxChars: total(filed, plain) - 1 });

    const roomyKept = await roomy.append(thread, [named, filed, plain]);
    const tightKept = await tight.append(thread, [named, filed, plain]);

    expect(texts(roomyKept)).toEqual(['b', 'c']);
    expect(texts(tightKept)).toEqual(['c']);
  });

  it('counts no speaker header on the agent’s own lines', async () => {
    const [question, answer] = [userMessage('q'), assistantLine('a')];
    const store = await open({ ...CONTRACT_LIMITS, maxChars: total(question, answer) });

    const kept = await store.append(thread, [question, answer]);

    expect(texts(kept)).toEqual(['q', 'a']);
    expect(sentChars(answer)).toBeLessThan(sentChars(userMessage('a')));
  });

  it('counts characters as JavaScript does, whatever the script, names included', async () => {
    const emoji = userMessage('😀😀', {
      author: { id: 'U😀', name: 'Zoë 😀', isBot: false },
      attachments: [{ name: 'é😀.png', url: 'https://f/é' }],
    });
    const accents = userMessage('ééé');
    const fits = await open({ ...CONTRACT_LIMITS, maxChars: total(emoji, accents) });
    const short = await open({ ...CONTRACT_LIMITS, maxChars: total(emoji, accents) - 1 });

    const fitsKept = await fits.append(thread, [emoji, accents]);
    const shortKept = await short.append(thread, [emoji, accents]);

    expect(texts(fitsKept)).toEqual(['😀😀', 'ééé']);
    expect(texts(shortKept)).toEqual(['ééé']);
  });
}
