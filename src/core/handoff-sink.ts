import type { OutgoingFile, Persona, ReplySink } from './model.js';
import { bestEffort, type ReplyJournal, type SinkContext } from './replies.js';

/** One agent's part of a reply, as a platform posts it (handoffs are `withHandoffs`'s). */
export type ReplyPart = Omit<ReplySink, 'handOff'>;

/** Makes the first part of a reply; `journal` holds that part's own messages. */
export type FirstPartMaker = (journal: ReplyJournal | undefined) => ReplyPart;

/**
 * Makes a later part: handed over to `persona`, or Parley's own after a file (`undefined`);
 * `journal` holds that part's own messages.
 */
export type NextPartMaker = (
  persona: Persona | undefined,
  journal: ReplyJournal | undefined,
) => ReplyPart;

/** The line that ends an agent's part of an answer when it hands the rest to another. */
export function handoffMarker(persona: Persona): string {
  const name = persona.name.replace(/[*_`~<>[\]\r\n@#]/g, ' ').trim() || 'another agent';
  return `\n\n_↪ handed over to ${name}_`;
}

/**
 * A platform's reply made whole: a handoff finishes the part said so far with a marker line
 * and continues in a new reply under the next agent's persona; files are uploaded once per
 * reply, however often a retried job replays it (the journal remembers them by index).
 * Every part journals its own messages (its own slots, `journal.part`), so a retry edits the
 * handed-over parts too instead of posting them again, however long each part runs this time.
 */
export function withHandoffs(
  first: FirstPartMaker,
  next: NextPartMaker,
  journal?: ReplyJournal,
): ReplySink {
  let part = 0;
  let current = first(journal);
  // Who speaks in the current part (undefined: Parley's own identity).
  let speaker: Persona | undefined;
  let hasText = false;
  // The current part was finished before a file, so the file shows below its words; what
  // comes next starts a new part below the file.
  let isClosed = false;

  /** Goes on in a new part, below everything posted so far. */
  async function nextPart(persona: Persona | undefined): Promise<void> {
    if (!isClosed) await current.finish();
    part += 1;
    speaker = persona;
    hasText = false;
    isClosed = false;
    current = next(persona, journal?.part?.(part));
    await current.start();
  }

  /** The part to show something new in: a new one after a file. */
  async function open(): Promise<ReplyPart> {
    if (isClosed) await nextPart(speaker);
    return current;
  }

  return {
    start: () => current.start(),
    async append(delta) {
      if (delta.trim() === '' && isClosed) return;
      const shown = await open();
      if (delta.trim() !== '') hasText = true;
      await shown.append(delta);
    },
    async activity(label) {
      if (label === undefined && isClosed) return;
      await (await open()).activity(label);
    },
    async attach(file: OutgoingFile) {
      // Words before a file are shown in full first, so the answer reads in the order the agent
      // wrote it. A file a retry finds uploaded already ends the part all the same.
      if (hasText && !isClosed) {
        await current.finish();
        isClosed = true;
      }
      if (journal?.files.has(file.index) === true) return;
      await current.attach(file);
      if (journal !== undefined) await bestEffort(journal.recordFile(file.index));
    },
    async handOff(persona) {
      await (await open()).append(handoffMarker(persona));
      await nextPart(persona);
    },
    finish: async () => {
      if (!isClosed) await current.finish();
    },
    fail: async (notice) => (await open()).fail(notice),
  };
}

/**
 * A platform's reply to `target`: its first part continues from `context`, and each part handed
 * over goes to the same place under the next persona; every part keeps its own journal (and, on
 * a retry, ends what its own earlier attempt left streaming).
 */
export function replyWithHandoffs<Target extends { readonly persona?: Persona }>(
  target: Target,
  context: SinkContext,
  makePart: (target: Target, context: SinkContext) => ReplyPart,
): ReplySink {
  return withHandoffs(
    (journal) => makePart(target, { ...context, ...journalOf(journal) }),
    (persona, journal) =>
      makePart(persona === undefined ? target : { ...target, persona }, {
        ...journalOf(journal),
        ...(context.isRetry === undefined ? {} : { isRetry: context.isRetry }),
      }),
    context.journal,
  );
}

function journalOf(journal: ReplyJournal | undefined): { journal?: ReplyJournal } {
  return journal === undefined ? {} : { journal };
}
