import type { AgentRequest } from '../../src/agent/agent-client.js';
import type { ReplySink, ThreadRef } from '../../src/core/model.js';
import { silentLogger } from '../../src/log/logger.js';
import { createMemoryPlayStore } from '../../src/roleplay/memory-play-store.js';
import type { Actor, PlayStore } from '../../src/roleplay/play.js';
import {
  createRoleplayEngine,
  type RoleplayEngine,
  type Stage,
} from '../../src/roleplay/roleplay-engine.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import type { ConversationStore } from '../../src/store/store.js';
import { type ScriptedAnswer, scriptedAgent } from '../support/scripted-agent.js';

/** What a stage showed: persona lines (by name) and Parley's own lines. */
export function recordingStage() {
  const lines: { name: string; text: string; failed?: string }[] = [];
  const said: string[] = [];
  const stage: Stage = {
    line(actor: Actor): ReplySink {
      const entry: { name: string; text: string; failed?: string } = { name: actor.name, text: '' };
      return {
        start: async () => {
          lines.push(entry);
        },
        append: async (delta) => {
          entry.text += delta;
        },
        activity: async () => {},
        attach: async () => {},
        handOff: async () => {},
        finish: async () => {},
        fail: async (notice) => {
          entry.failed = notice;
        },
      };
    },
    say: async (text) => {
      said.push(text);
    },
  };
  return { stage, lines, said };
}

export const THREAD: ThreadRef = {
  platform: 'console',
  workspace: 'local',
  channel: 'stage',
  thread: 'play-1',
};
export const ALI = { alias: 'ali', id: 'ag:test:ali', name: 'Ali' };
export const JIMMY = { alias: 'jimmy', id: 'ag:test:jimmy', name: 'Jimmy' };

export interface EngineParts {
  readonly plays?: PlayStore;
  readonly store?: ConversationStore;
  readonly answer?: (
    request: AgentRequest,
    call: number,
  ) => ScriptedAnswer | Promise<ScriptedAnswer>;
}

/** An engine over memory stores with a scripted agent (by default each line names its speaker and turn). */
export function testEngine(parts: EngineParts = {}) {
  const plays = parts.plays ?? createMemoryPlayStore();
  const store =
    parts.store ??
    createMemoryConversationStore({ limits: { maxMessages: 50, maxChars: 10_000, ttlMs: 60_000 } });
  const agent = scriptedAgent(
    parts.answer ?? ((request, call) => ({ chunks: [`${request.agentId} line ${call}`] })),
  );
  const recorded = recordingStage();
  const engine: RoleplayEngine = createRoleplayEngine({
    plays,
    store,
    agent: agent.client,
    logger: silentLogger,
    pauseMs: 0,
  });
  engine.addStage('console', () => recorded.stage);
  return { engine, plays, store, agent, ...recorded };
}
