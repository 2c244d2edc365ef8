import type { OutgoingFile, Persona, ReplySink } from '../../src/core/model.js';

/** A ReplySink that records what the dispatcher did with it. */
export function recordingSink() {
  const events: string[] = [];
  let text = '';
  const notices: string[] = [];
  const activities: (string | undefined)[] = [];
  const files: OutgoingFile[] = [];
  const handoffs: Persona[] = [];
  const sink: ReplySink = {
    start: async () => {
      events.push('start');
    },
    append: async (delta) => {
      events.push('append');
      text += delta;
    },
    activity: async (label) => {
      events.push('activity');
      activities.push(label);
    },
    attach: async (file) => {
      events.push('attach');
      files.push(file);
    },
    handOff: async (persona) => {
      events.push('handoff');
      handoffs.push(persona);
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
    activities,
    files,
    handoffs,
    get text() {
      return text;
    },
  };
}
