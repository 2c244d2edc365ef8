import type { OutgoingFile, Persona, ReplySink } from './model.js';
import { bestEffort, type ReplyJournal } from './replies.js';

/** One agent's part of a reply, as a platform posts it (handoffs are `withHandoffs`'s). */
export type ReplyPart = Omit<ReplySink, 'handOff'>;

/** The line that ends an agent's part of an answer when it hands the rest to another. */
export function handoffMarker(persona: Persona): string {
  const name = persona.name.replace(/[*_`~<>[\]\r\n@#]/g, ' ').trim() || 'another agent';
  return `\n\n_↪ handed over to ${name}_`;
}

/**
 * A platform's reply made whole: a handoff finishes the part said so far with a marker line
 * and continues in a new reply under the next agent's persona; files are uploaded once per
 * reply, however often a retried job replays it (the journal remembers them by index).
 */
export function withHandoffs(
  first: ReplyPart,
  next: (persona: Persona) => ReplyPart,
  journal?: ReplyJournal,
): ReplySink {
  let current = first;
  return {
    start: () => current.start(),
    append: (delta) => current.append(delta),
    activity: (label) => current.activity(label),
    async attach(file: OutgoingFile) {
      if (journal?.files.has(file.index) === true) return;
      await current.attach(file);
      if (journal !== undefined) await bestEffort(journal.recordFile(file.index));
    },
    async handOff(persona) {
      await current.append(handoffMarker(persona));
      await current.finish();
      current = next(persona);
      await current.start();
    },
    finish: () => current.finish(),
    fail: (notice) => current.fail(notice),
  };
}
