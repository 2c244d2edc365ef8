import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gate } from '../support/gate.js';
import { lastText, scriptedAgent } from '../support/scripted-agent.js';
import { type Handover, setUp, submission, waitUntil } from '../support/work-queue-rig.js';

describe.each<Handover>(['queued', 'here'])(
  'the work queue, ingress handing over %s',
  (handover) => {
    it('answers each thread in order and a redelivered message once', async () => {
      const { startWorker, queue, seen, agent } = setUp({ handover });
      startWorker(agent.client);
      const thread = randomUUID();
      const messages = ['one', 'two', 'three', 'four'].map((text) => submission(thread, text));

      for (const message of messages) await queue.submit(message);
      const [first] = messages;
      if (first) await queue.submit(first);
      await waitUntil(() => seen.replies.length >= 4);

      expect(seen.replies.map((reply) => reply.answer)).toEqual([
        're: one',
        're: two',
        're: three',
        're: four',
      ]);
      expect(agent.calls).toHaveLength(4);
    });

    it('appends a follow-up that arrives mid-answer only once that answer is recorded', async () => {
      const { startWorker, queue, seen } = setUp({ handover });
      const held = gate();
      const agent = scriptedAgent(async (request, call) => {
        if (call === 1) await held.until;
        return { chunks: [`re: ${lastText(request)}`] };
      });
      startWorker(agent.client);
      const thread = randomUUID();

      await queue.submit(submission(thread, 'one'));
      await waitUntil(() => agent.calls.length === 1);
      await queue.submit(submission(thread, 'two'));
      held.open();
      await waitUntil(() => seen.replies.length >= 2);

      expect(agent.calls[1]?.messages.map((message) => message.text)).toEqual([
        'one',
        're: one',
        'two',
      ]);
    });

    it('answers a follow-up at once after a message delivered three times (no hole in the order)', async () => {
      const { startWorker, queue, seen, agent } = setUp({ handover });
      startWorker(agent.client);
      const thread = randomUUID();
      const mention = submission(thread, 'mention');

      await Promise.all([queue.submit(mention), queue.submit(mention), queue.submit(mention)]);
      await queue.submit(submission(thread, 'follow-up'));
      await waitUntil(() => seen.replies.length >= 2);

      expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: mention', 're: follow-up']);
      expect(seen.acknowledged).toEqual(['mention', 'follow-up']);
    });

    it('shows a sign of life for every message before any worker takes it', async () => {
      const { queue, seen } = setUp({ handover });
      const threads = Array.from({ length: 20 }, () => randomUUID());

      await Promise.all(threads.map((thread) => queue.submit(submission(thread, thread))));

      expect(new Set(seen.acknowledged)).toEqual(new Set(threads));
    });

    // Answered where it was admitted, a message is never withdrawn (see here-first.test.ts).
    if (handover === 'queued')
      it('takes a message whose queueing failed as new on redelivery, and lets the thread go on', async () => {
        let isBroken = true;
        const { startWorker, queue, seen, agent } = setUp({
          handover,
          acknowledge: async () => {
            if (isBroken) throw new Error('platform down');
            return { kind: 'none' };
          },
        });
        startWorker(agent.client);
        const thread = randomUUID();
        const first = submission(thread, 'first');

        await expect(queue.submit(first)).rejects.toThrow('platform down');
        isBroken = false;
        await queue.submit(first);
        await queue.submit(submission(thread, 'second'));
        await waitUntil(() => seen.replies.length >= 2);

        expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: first', 're: second']);
      });

    it('holds a thousand answers in flight in one worker', async () => {
      const { startWorker, queue, seen } = setUp({ handover });
      const held = gate();
      const agent = scriptedAgent(async (request) => {
        await held.until;
        return { chunks: [`re: ${lastText(request)}`] };
      });
      startWorker(agent.client);

      const count = 1_000;
      for (let index = 0; index < count; index += 1)
        await queue.submit(submission(randomUUID(), `m${index}`));
      await waitUntil(() => agent.calls.length >= count, 30_000);
      held.open();
      await waitUntil(() => seen.replies.length >= count, 30_000);

      expect(agent.calls).toHaveLength(count);
    }, 90_000);

    it('hands answers under way to another worker on shutdown, without telling anyone to resend', async () => {
      const { startWorker, queue, seen } = setUp({ handover });
      const stuck = scriptedAgent(() => new Promise(() => {}));
      const leaving = startWorker(stuck.client);
      const thread = randomUUID();

      await queue.submit(submission(thread, 'first'));
      await queue.submit(submission(thread, 'second'));
      await waitUntil(() => stuck.calls.length >= 1);
      await leaving.close(0);
      const agent = scriptedAgent((request) => ({ chunks: [`re: ${lastText(request)}`] }));
      startWorker(agent.client);
      await waitUntil(() => seen.replies.length >= 2);

      expect(seen.replies.map((reply) => reply.answer)).toEqual(['re: first', 're: second']);
      expect(seen.notices).toEqual([]);
    });

    it('holds the whole queue back when the agent answers 429', async () => {
      const { startWorker, queue, agent } = setUp({ handover });
      const runner = startWorker(agent.client);

      runner.rateLimit(60_000);
      await waitUntil(async () => (await queue.rateLimitTtl()) > 0);

      expect(await queue.rateLimitTtl()).toBeGreaterThan(0);
      runner.rateLimit(0);
    });
  },
);
