import { personKey } from '../access/person.js';
import type { AgentClient } from '../agent/agent-client.js';
import type { AgentProfile, Roster } from '../config/roster.js';
import type { CommandReply } from '../core/commands.js';
import {
  type Message,
  type Platform,
  type ReplySink,
  type ThreadRef,
  threadKey,
} from '../core/model.js';
import type { Logger } from '../log/logger.js';
import type { ConversationStore } from '../store/store.js';
import type { PlayBudget } from './perspective.js';
import type { Actor, Play, PlayStore } from './play.js';
import { createPlayDriver, type StageFinder } from './play-driver.js';
import { overLimitText, type PlayQuota } from './play-quota.js';
import { ended, interjected, updatePlay } from './play-updates.js';
import type { RoleplayLimits } from './roleplay-command.js';

/** Where a play is staged on one platform: persona lines and Parley's own lines. */
export interface Stage {
  /** A reply under the actor's name and avatar. */
  line(actor: Actor): ReplySink;
  /** Parley's own message in the play's thread (the closing line). */
  say(text: string): Promise<void>;
}

export interface StartRequest {
  readonly thread: ThreadRef;
  readonly first: AgentProfile;
  readonly second: AgentProfile;
  readonly topic: string;
  readonly turns: number;
  readonly startedBy: { readonly id: string; readonly name: string };
}

export type StartResult =
  | { readonly ok: true; readonly play: Play }
  | { readonly ok: false; readonly text: string };

/** Who asks to stop a play; admins may stop anyone's. */
export interface Stopper {
  readonly id: string;
  readonly name: string;
  readonly isAdmin: boolean;
}

export interface RoleplayEngine {
  /** Lets a platform adapter stage plays in its threads. */
  addStage(platform: Platform, find: (thread: ThreadRef) => Stage | undefined): void;
  start(request: StartRequest): Promise<StartResult>;
  /** Why this person may not start another play now (ROLEPLAY_MAX_PER_USER), asked before announcing one. */
  startRefusal(platform: Platform, userId: string): Promise<string | undefined>;
  stop(threadKey: string, by: Stopper): Promise<CommandReply>;
  /** Stops the play running in a channel (a slash command typed outside the play's thread). */
  stopIn(channelKey: string, by: Stopper): Promise<CommandReply>;
  /** Records a person's message in a play's thread for the next speaker; false when no play runs there. */
  interject(thread: ThreadRef, message: Message): Promise<boolean>;
  /** Drives every running play this process is not driving yet (after a restart); returns how many. */
  resume(): Promise<number>;
  /** The play staged in a thread, as stored. */
  play(threadKey: string): Promise<Play | undefined>;
  /** Drives a play here until it ends or is handed back (a queue worker's job). */
  drive(threadKey: string): Promise<void>;
  /** Hands plays to a work queue instead of driving them in this process. */
  scheduleWith(schedule: (threadKey: string) => Promise<void>): void;
  /** Resolves when this process stops driving the play (it ended, or was handed back). */
  finished(threadKey: string): Promise<void>;
  /** Hands every play back (the turn under way is left for the next process) and stops adopting. */
  drain(): Promise<void>;
}

/** What a platform adapter needs to offer `/roleplay`. */
export interface RoleplaySetup {
  readonly engine: RoleplayEngine;
  readonly roster: Roster;
  readonly limits: RoleplayLimits;
}

export interface RoleplayEngineDeps {
  readonly plays: PlayStore;
  readonly store: ConversationStore;
  readonly agent: AgentClient;
  readonly logger: Logger;
  /** Pause between two lines, so a dialogue reads at a human pace. */
  readonly pauseMs: number;
  /** How much of the transcript one line's call may carry (HISTORY_MAX_*). */
  readonly budget?: PlayBudget;
  /** How often to adopt plays whose driving process died (0: only on `resume()`). */
  readonly adoptEveryMs?: number;
  /** Per-person limits: running plays, and lines under USER_RATE_LIMIT; none when unset. */
  readonly quota?: PlayQuota;
  readonly now?: () => number;
}

/** Role-plays: state in the store, advanced one turn at a time by whichever process holds the turn. */
export function createRoleplayEngine(deps: RoleplayEngineDeps): RoleplayEngine {
  const now = deps.now ?? Date.now;
  const stages = new Map<Platform, (thread: ThreadRef) => Stage | undefined>();
  const findStage: StageFinder = (thread) => stages.get(thread.platform)?.(thread);
  const driver = createPlayDriver({ ...deps, now, findStage });
  const adoption =
    deps.adoptEveryMs === undefined || deps.adoptEveryMs <= 0
      ? undefined
      : setInterval(
          () =>
            void resume().catch((error: unknown) =>
              deps.logger.warn('role-play adoption failed', { error }),
            ),
          deps.adoptEveryMs,
        );
  adoption?.unref();

  async function castOf(profile: AgentProfile): Promise<Actor> {
    const name = profile.name ?? (await deps.agent.describe(profile.id)).name ?? profile.alias;
    return {
      agentId: profile.id,
      name,
      ...(profile.avatarUrl === undefined ? {} : { avatarUrl: profile.avatarUrl }),
    };
  }

  let schedule = async (key: string): Promise<void> => {
    driver.drive(key);
  };

  async function resume(): Promise<number> {
    const keys = await deps.plays.running();
    const adopted = keys.filter((key) => !driver.isDriving(key));
    for (const key of adopted) await schedule(key);
    return adopted.length;
  }

  async function stop(key: string, by: Stopper): Promise<CommandReply> {
    const play = await deps.plays.get(key);
    if (play === undefined) return { ok: false, text: 'There is no role-play here.' };
    if (play.status !== 'running') return { ok: false, text: 'This role-play has already ended.' };
    if (play.startedBy.id !== by.id && !by.isAdmin) {
      deps.quota?.refused('not_admin');
      return {
        ok: false,
        text: `Only ${play.startedBy.name}, who started this role-play, or an admin can stop it.`,
      };
    }
    const result = await updatePlay(deps.plays, key, (latest) =>
      latest.status === 'running' ? ended(latest, 'stopped', `Stopped by ${by.name}.`) : undefined,
    );
    if (result === undefined) return { ok: false, text: 'This role-play has already ended.' };
    driver.handBack(key);
    await driver.close(result.after);
    return { ok: true, text: 'Role-play stopped.' };
  }

  return {
    addStage(platform, find) {
      stages.set(platform, find);
    },
    async start(request) {
      const cast: [Actor, Actor] = [await castOf(request.first), await castOf(request.second)];
      const play: Play = {
        thread: request.thread,
        cast,
        topic: request.topic,
        maxTurns: request.turns,
        turn: 0,
        status: 'running',
        transcript: [],
        startedBy: request.startedBy,
        startedAt: now(),
        version: 1,
      };
      const maxRunning = deps.quota?.maxRunningPerPerson ?? Number.POSITIVE_INFINITY;
      const created = await deps.plays.createWithin(play, maxRunning);
      if (created === 'over-limit') {
        deps.quota?.refused('roleplay_limit');
        return { ok: false, text: overLimitText(maxRunning, maxRunning) };
      }
      if (created === 'exists')
        return { ok: false, text: 'A role-play is already running in this thread.' };
      await schedule(threadKey(request.thread));
      return { ok: true, play };
    },
    async startRefusal(platform, userId) {
      const max = deps.quota?.maxRunningPerPerson;
      if (max === undefined) return undefined;
      const running = (await deps.plays.runningBy(personKey(platform, userId))).length;
      if (running < max) return undefined;
      deps.quota?.refused('roleplay_limit');
      return overLimitText(running, max);
    },
    stop,
    async stopIn(channel, by) {
      const [key] = await deps.plays.runningIn(channel);
      return key === undefined
        ? { ok: false, text: 'No role-play is running in this channel.' }
        : stop(key, by);
    },
    async interject(thread, message) {
      const key = threadKey(thread);
      const play = await deps.plays.get(key);
      if (play === undefined || play.status !== 'running') return false;
      const line = {
        kind: 'human' as const,
        id: message.id,
        author: { id: message.author.id, name: message.author.name },
        text: message.text,
        at: message.at,
      };
      await updatePlay(deps.plays, key, (latest) =>
        latest.status === 'running' &&
        !latest.transcript.some((seen) => seen.kind === 'human' && seen.id === line.id)
          ? interjected(latest, line)
          : undefined,
      );
      return true;
    },
    resume,
    drive(key) {
      driver.drive(key);
      return driver.finished(key);
    },
    scheduleWith(next) {
      schedule = next;
    },
    play: (key) => deps.plays.get(key),
    finished: (key) => driver.finished(key),
    async drain() {
      clearInterval(adoption);
      await driver.handBackAll();
    },
  };
}
