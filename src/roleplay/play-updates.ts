import type { Line, Play, PlayStatus, PlayStore } from './play.js';

/**
 * The play with an actor's line added and the turn advanced; done once the last turn is in.
 * The line goes at `position` (where the transcript ended when the line began), so people's
 * lines written while it was spoken come after it, and the next speaker hears them last.
 */
export function advanced(play: Play, line: Line, position = play.transcript.length): Play {
  const turn = play.turn + 1;
  const transcript = [
    ...play.transcript.slice(0, position),
    line,
    ...play.transcript.slice(position),
  ];
  const next: Play = { ...play, turn, transcript, version: play.version + 1 };
  return turn >= play.maxTurns
    ? { ...next, status: 'done', endReason: `${play.maxTurns} turns done` }
    : next;
}

/** The play ended with a status and the reason the closing line gives. */
export function ended(play: Play, status: Exclude<PlayStatus, 'running'>, endReason: string): Play {
  return { ...play, status, endReason, version: play.version + 1 };
}

/** The play with a person's line heard by the next speaker. */
export function interjected(play: Play, line: Line): Play {
  return { ...play, transcript: [...play.transcript, line], version: play.version + 1 };
}

// Writers only race with interjections and stops, a few at a time: a handful of tries settles it.
const MAX_CAS_TRIES = 8;

/**
 * Applies `change` to the stored play with compare-and-set, re-reading and re-applying when
 * another writer got there first. `change` returns undefined to leave the play as it is.
 */
export async function updatePlay(
  plays: PlayStore,
  key: string,
  change: (play: Play) => Play | undefined,
): Promise<{ readonly before: Play; readonly after: Play } | undefined> {
  for (let attempt = 0; attempt < MAX_CAS_TRIES; attempt += 1) {
    const before = await plays.get(key);
    if (before === undefined) return undefined;
    const after = change(before);
    if (after === undefined) return undefined;
    if (await plays.replace(before, after)) return { before, after };
  }
  throw new Error('role-play update kept conflicting');
}
