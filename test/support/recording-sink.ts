import type { ReplySink } from '../../src/core/model.js';

/** A ReplySink that records what the dispatcher did with it. */
export function recordingSink() {
  const events: string[] = [];
  let text = '';
  const notices: string[] = [];
  const sink: ReplySink = {
    start: async () => {
      events.push('start');
    },
    append: async (delta) => {
      events.push('append');
      text += delta;
    },
    finish: async () => {
      events.push('finish');
    },
    fail: async (notice) => {
      events.push('fail');
      notices.push(notice);
    },
  };
  return {
    sink,
    events,
    notices,
    get text() {
      return text;
    },
  };
}
