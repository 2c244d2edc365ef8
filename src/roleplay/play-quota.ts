import type { Play } from './play.js';

/** The per-person limits a role-play runs under (ROLEPLAY_MAX_PER_USER, USER_RATE_LIMIT). */
export interface PlayQuota {
  /** Role-plays one person may have running at once. */
  readonly maxRunningPerPerson: number;
  /**
   * Counts the next line (`turn`) against whoever started the play; resolves with why the play
   * must stop when that person is over their limit, undefined when the line may be spoken.
   */
  takeLine(play: Play, turn: number): Promise<string | undefined>;
  /** Counts a refusal (a start over the count, stopping another's play without the right). */
  refused(reason: 'roleplay_limit' | 'not_admin'): void;
}

/** What a person who runs as many plays as they may is told, with the count. */
export function overLimitText(running: number, max: number): string {
  const plays = running === 1 ? 'role-play' : 'role-plays';
  return `You already have ${running} ${plays} running, the most one person may run at once (${max}). Stop one with \`/roleplay stop\` in its channel, or wait for one to end.`;
}
