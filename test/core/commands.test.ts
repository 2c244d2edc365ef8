import { describe, expect, it } from 'vitest';
import type { AgentClient } from '../../src/agent/agent-client.js';
import { createConversationCommands } from '../../src/core/commands.js';
import { channelKey } from '../../src/core/model.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';
import { threadRef } from '../support/messages.js';
import { scriptedAgent } from '../support/scripted-agent.js';

const LIMITS = { maxMessages: 50, maxChars: 10_000, ttlMs: 60_000 };

function commandsWith(agent: AgentClient) {
  const store = createMemoryConversationStore({ limits: LIMITS });
  const commands = createConversationCommands({
    store,
    agent,
    roster: new Map(),
    defaultAgentId: 'ag:default:one',
  });
  return { store, commands };
}

describe('conversation commands', () => {
  const thread = threadRef('commands');

  it('sets an agent id only once Mistral confirms it exists', async () => {
    const { store, commands } = commandsWith(scriptedAgent(() => ({ chunks: [] })).client);

    const missing = await commands.setAgent(thread, 'ag:missing:agent');
    const found = await commands.setAgent(thread, 'ag:real:agent');

    expect(missing).toMatchObject({ ok: false });
    expect(missing.text).toContain('has no agent `ag:missing:agent`');
    expect(found).toMatchObject({ ok: true });
    expect(await store.settings([channelKey(thread)])).toEqual([{ agentId: 'ag:real:agent' }]);
  });

  it('changes nothing when the agent cannot be checked', async () => {
    const unreachable: AgentClient = {
      stream: scriptedAgent(() => ({ chunks: [] })).client.stream,
      describe: async (agentId) => ({ id: agentId, name: undefined, exists: undefined }),
      readFile: scriptedAgent(() => ({ chunks: [] })).client.readFile,
    };
    const { store, commands } = commandsWith(unreachable);

    const reply = await commands.setAgent(thread, 'ag:real:agent');

    expect(reply.text).toContain('could not check');
    expect(await store.settings([channelKey(thread)])).toEqual([{}]);
  });
});
