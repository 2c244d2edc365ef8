import { createHash } from 'node:crypto';
import { type AgentClient, textOf } from '../agent/agent-client.js';
import type { ThreadRef } from '../core/model.js';
import { noticeFor } from '../core/notices.js';
import { sleep } from '../core/timing.js';
import { ParleyError, toParleyError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { ConversationStore } from '../store/store.js';
import { type PlayBudget, perspectiveOf } from './perspective.js';
import type { Line, Play, PlayStore } from './play.js';
import type { PlayQuota } from './play-quota.js';
import { advanced, ended, updatePlay } from './play-updates.js';
import type { Stage } from './roleplay-engine.js';

export type StageFinder = (thread: ThreadRef) => Stage | undefined;

export interface PlayDriverDeps {
  readonly plays: PlayStore;
  readonly store: ConversationStore;
  readonly agent: AgentClient;
  readonly logger: Logger;
  readonly pauseMs: number;
  /** How much of the transcript one call may carry; a chat's defaults when unset. */
  readonly budget?: PlayBudget;
  readonly now: () => number;
  readonly findStage: StageFinder;
  /** Each line counts against the play's starter (USER_RATE_LIMIT); none when unset. */
  readonly quota?: PlayQuota;
}

/**
 * Drives plays in this process: one loop per play, each turn taken under the thread's turn
 * (so two processes never speak the same line), the turn counter advanced with compare-and-set
 * only after the line is posted. A process that dies mid-line leaves the turn for the next one.
 */
export function createPlayDriver(deps: PlayDriverDeps) {
  const loops = new Map<
    string,
    { readonly done: Promise<void>; readonly controller: AbortController }
  >();
  const log = deps.logger.child({ component: 'roleplay' });

  async function loop(key: string, signal: AbortSignal): Promise<void> {
    for (let isFirst = true; !signal.aborted; isFirst = false) {
      const play = await deps.plays.get(key);
      if (play === undefined || play.status !== 'running') return;
      if (!isFirst && !(await pause(deps.pauseMs, signal))) return;
      if (!(await playTurn(key, play, signal))) return;
    }
  }

  /** Speaks the next line if this process may; false when it should stop driving the play. */
  async function playTurn(key: string, seen: Play, signal: AbortSignal): Promise<boolean> {
    // The place is the line's own: a driver that takes over from a dead one finds it still held
    // and goes on at once. Aborted (handed back) or the store is down: stop driving; adoption
    // picks the play up later.
    const place = linePlace(key, seen.turn);
    const turn = await deps.store.takeTurn(seen.thread, { signal, place }).catch(() => undefined);
    if (turn === undefined) return false;
    try {
      const play = await deps.plays.get(key);
      if (play === undefined || play.status !== 'running') return false;
      const stage = deps.findStage(play.thread);
      if (stage === undefined) {
        log.warn('role-play has no stage here', { thread: key, platform: play.thread.platform });
        return false;
      }
      const overLimit = await deps.quota?.takeLine(play, play.turn);
      if (overLimit !== undefined) {
        await stopWith(key, overLimit);
        return false;
      }
      await speakAndRecord(key, play, stage, AbortSignal.any([signal, turn.signal]));
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      await fail(key, error);
      return false;
    } finally {
      await turn.release();
    }
  }

  async function speakAndRecord(
    key: string,
    play: Play,
    stage: Stage,
    signal: AbortSignal,
  ): Promise<void> {
    const actorIndex = play.turn % 2 === 0 ? 0 : 1;
    const text = await speak(play, actorIndex, stage, signal);
    const line: Line = { kind: 'actor', actor: actorIndex, text, at: deps.now() };
    const result = await updatePlay(deps.plays, key, (latest) => {
      if (latest.turn !== play.turn) return undefined;
      // Stopped while this line was spoken: keep the line, not the status.
      const next = advanced(latest, line, play.transcript.length);
      return latest.status === 'running' ? next : { ...next, status: latest.status };
    });
    if (result?.before.status === 'running' && result.after.status === 'done')
      await close(result.after);
  }

  async function speak(
    play: Play,
    actorIndex: 0 | 1,
    stage: Stage,
    signal: AbortSignal,
  ): Promise<string> {
    const actor = play.cast[actorIndex];
    const sink = stage.line(actor);
    await sink.start();
    let text = '';
    try {
      const request = {
        agentId: actor.agentId,
        messages: perspectiveOf(play, actorIndex, deps.budget),
        isShared: false,
        signal,
      };
      for await (const delta of textOf(deps.agent.stream(request))) {
        text += delta;
        await sink.append(delta);
      }
      if (text.trim() === '') throw new ParleyError('AGENT_EMPTY_ANSWER', 'agent answered nothing');
      await sink.finish();
      return text;
    } catch (error) {
      if (!signal.aborted)
        await sink.fail('_(this line could not be finished)_').catch(() => undefined);
      throw error;
    }
  }

  async function fail(key: string, error: unknown): Promise<void> {
    const code = toParleyError(error).code;
    log.warn('role-play failed', { thread: key, code, error });
    const result = await updatePlay(deps.plays, key, (latest) =>
      latest.status === 'running' ? ended(latest, 'failed', noticeFor(code)) : undefined,
    ).catch(() => undefined);
    if (result !== undefined) await close(result.after);
  }

  /** Stops a running play for a reason the closing line gives (its starter is over a limit). */
  async function stopWith(key: string, reason: string): Promise<void> {
    const result = await updatePlay(deps.plays, key, (latest) =>
      latest.status === 'running' ? ended(latest, 'stopped', reason) : undefined,
    );
    if (result !== undefined) await close(result.after);
  }

  /** Posts the closing line of an ended play. */
  async function close(play: Play): Promise<void> {
    await deps
      .findStage(play.thread)
      ?.say(closingLine(play))
      .catch((error: unknown) => log.warn('role-play closing line not posted', { error }));
  }

  return {
    drive(key: string): void {
      if (loops.has(key)) return;
      const controller = new AbortController();
      const done = loop(key, controller.signal)
        .catch((error: unknown) => log.error('role-play driver failed', { thread: key, error }))
        .finally(() => loops.delete(key));
      loops.set(key, { done, controller });
    },
    isDriving: (key: string) => loops.has(key),
    finished: async (key: string) => {
      await loops.get(key)?.done;
    },
    handBack(key: string): void {
      loops.get(key)?.controller.abort();
    },
    async handBackAll(): Promise<void> {
      const all = [...loops.values()];
      for (const entry of all) entry.controller.abort();
      await Promise.all(all.map((entry) => entry.done));
    },
    close,
  };
}

/** The turn place of one line of a play, the same in every process (a UUID-shaped digest). */
export function linePlace(key: string, turn: number): string {
  const hex = createHash('sha1').update(`${key}#${turn}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The line that says why a play ended. */
export function closingLine(play: Play): string {
  if (play.status === 'done') return `🎬 The end: ${play.endReason ?? 'all turns done'}.`;
  if (play.status === 'stopped') return `🛑 ${play.endReason ?? 'Stopped.'}`;
  return `⚠️ The role-play stopped: ${play.endReason ?? 'something went wrong.'}`;
}

/** Waits, unless aborted first; false when aborted. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  return sleep(ms, signal).then(
    () => true,
    () => false,
  );
}
