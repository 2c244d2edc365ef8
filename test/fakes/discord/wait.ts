import type { EventEmitter } from 'node:events';

/** A probe's "not yet" answers. */
export type NotYet = undefined | null | false;

/**
 * Resolves with the probe's first truthy-ish answer, checking now and after every state change;
 * rejects after `timeoutMs`. Event-driven: no polling, no sleeps.
 */
export function waitForChange<T>(
  events: EventEmitter,
  probe: () => T | NotYet,
  timeoutMs: number,
  description: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      events.off('change', check);
    };
    const check = () => {
      try {
        const value = probe();
        if (value === undefined || value === null || value === false) return;
        finish();
        resolve(value);
      } catch (error) {
        finish();
        reject(error);
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`fake-discord: timed out after ${timeoutMs} ms waiting for ${description}`));
    }, timeoutMs);
    events.on('change', check);
    check();
  });
}
