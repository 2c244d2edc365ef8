import { expect, it } from 'vitest';
import { cutText, sentChars } from '../../src/agent/shape-messages.js';
import type { Message } from '../../src/core/model.js';
import { isTruncated } from '../../src/store/stored-message.js';
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
      attachments: [{ name: `${'f'.repeat(40)}.pdf`, ref: `F${'X'.repeat(40)}` }],
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
      attachments: [{ name: 'é😀.png', ref: 'Fé' }],
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

/** One over-long message: cut to the budget with a note, marked, the same in every store. */
export function describeCutContract(open: OpenStore): void {
  const thread = threadRef('cut');
  const BUDGET = 300;

  it('cuts the newest message to the budget with a note at the cut, and marks it', async () => {
    const store = await open({ ...CONTRACT_LIMITS, maxChars: BUDGET });
    await store.append(thread, [userMessage('earlier')]);
    const long = userMessage(`say "hi" \\ / \n${'x'.repeat(600)}`, {
      attachments: [{ name: 'a.png', ref: 'F0A', mimeType: 'image/png' }],
    });

    const kept = await store.append(thread, [long]);

    const overBy = sentChars(long) - BUDGET;
    const cut = { ...long, text: cutText(long.text, overBy), truncated: true };
    expect(kept).toEqual([cut]);
    expect(kept[0]?.text).toMatch(/x\n\[… message cut: \d+ characters over the limit\]$/);
    expect(sentChars(cut)).toBeLessThanOrEqual(BUDGET);
    expect(isTruncated(kept[0])).toBe(true);
    expect(await store.history(thread)).toEqual([cut]);
  });

  it('cuts between whole characters, counted as JavaScript counts them', async () => {
    const text = 'é😀'.repeat(300);
    for (const maxChars of [BUDGET, BUDGET + 1]) {
      const store = await open({ ...CONTRACT_LIMITS, maxChars });
      const message = userMessage(text, { author: { id: 'U😀', name: 'Zoë', isBot: false } });

      const [kept] = await store.append(threadRef(`cut-${maxChars}`), [message]);

      expect(kept?.text).toBe(cutText(text, sentChars(message) - maxChars));
    }
  });

  it('leaves a message that fits whole and unmarked', async () => {
    const message = userMessage('fits');
    const store = await open({ ...CONTRACT_LIMITS, maxChars: sentChars(message) });

    const kept = await store.append(thread, [message]);

    expect(kept).toEqual([message]);
    expect(isTruncated(kept[0])).toBe(false);
  });

  it('cuts only the newest: an earlier long message is dropped for the newer ones', async () => {
    const store = await open({ ...CONTRACT_LIMITS, maxChars: BUDGET });
    const [long, next] = [userMessage('y'.repeat(BUDGET * 2)), userMessage('next')];

    const kept = await store.append(thread, [long, next]);

    expect(kept).toEqual([next]);
  });
}
