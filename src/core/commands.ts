import { agentChoiceRefusal, type Chooser } from '../access/agent-rights.js';
import type { AgentClient } from '../agent/agent-client.js';
import { type Roster, resolveAgent } from '../config/roster.js';
import type { ConversationStore } from '../store/store.js';
import { channelKey, type ThreadRef, threadKey } from './model.js';

/** The answer to a command, for the person who typed it. */
export interface CommandReply {
  readonly ok: boolean;
  readonly text: string;
}

export interface ConversationCommands {
  /**
   * Starts the thread's conversation afresh: nothing said at or before `at` (default now) is
   * sent to the agent again, and Parley stays in the thread.
   */
  reset(thread: ThreadRef, at?: number): Promise<CommandReply>;
  /** Says which agent answers here, and where that choice comes from. */
  showAgent(thread: ThreadRef): Promise<CommandReply>;
  /**
   * Sets the agent for the thread's channel (or, on the console, the session); `by` is checked
   * for the right to (admins; anyone in their own DM, from the roster). The console passes none.
   */
  setAgent(thread: ThreadRef, nameOrId: string, by?: Chooser): Promise<CommandReply>;
  /** The roster as one line per agent. */
  roster(): string;
}

export interface CommandDeps {
  readonly store: ConversationStore;
  readonly agent: AgentClient;
  readonly roster: Roster;
  readonly defaultAgentId: string;
  /** Told when a setting is refused for want of the right (metrics). */
  readonly onRefused?: (reason: 'not_admin') => void;
}

/** Platform-neutral conversation commands (`/parley reset`, `/parley agent`, console `/agent`). */
export function createConversationCommands(deps: CommandDeps): ConversationCommands {
  const label = async (agentId: string): Promise<string> => {
    const alias = [...deps.roster.values()].find((profile) => profile.id === agentId)?.alias;
    const { name } = await deps.agent.describe(agentId);
    const title = name ?? alias ?? agentId;
    return title === agentId ? `\`${agentId}\`` : `*${title}* (\`${agentId}\`)`;
  };
  return {
    async reset(thread, at = Date.now()) {
      await deps.store.resetThread(thread, at);
      return { ok: true, text: RESET_TEXT };
    },
    async showAgent(thread) {
      const [own, channel] = await deps.store.settings([threadKey(thread), channelKey(thread)]);
      const agentId = own?.agentId ?? channel?.agentId ?? deps.defaultAgentId;
      const source = own?.agentId
        ? 'set for this conversation'
        : channel?.agentId
          ? 'set for this channel'
          : 'the default';
      return { ok: true, text: `Agent here: ${await label(agentId)} — ${source}.` };
    },
    async setAgent(thread, nameOrId, by) {
      const profile = resolveAgent(deps.roster, nameOrId);
      if (!profile) return { ok: false, text: unknownAgentText(nameOrId, deps.roster) };
      const isRosterAgent = [...deps.roster.values()].some((known) => known.id === profile.id);
      const refusal = by === undefined ? undefined : agentChoiceRefusal(by, isRosterAgent);
      if (refusal !== undefined) {
        deps.onRefused?.('not_admin');
        return { ok: false, text: refusal };
      }
      // Checked before saving: a wrong id would make every later message here fail.
      const { exists } = await deps.agent.describe(profile.id);
      if (exists === false) return { ok: false, text: missingAgentText(profile.id) };
      if (exists === undefined) return { ok: false, text: UNCHECKED_AGENT_TEXT };
      await deps.store.updateSettings(channelKey(thread), { agentId: profile.id });
      return { ok: true, text: `This channel now talks to ${await label(profile.id)}.` };
    },
    roster: () => rosterText(deps.roster),
  };
}

const RESET_TEXT =
  'Conversation reset for this thread: the agent no longer sees anything said here before now. I’m still here — just keep talking.';

const UNCHECKED_AGENT_TEXT =
  'I could not check that agent with Mistral just now, so nothing changed. Please try again.';

function missingAgentText(agentId: string): string {
  return `Mistral has no agent \`${agentId}\` for this API key, so nothing changed. Check the id in La Plateforme.`;
}

function unknownAgentText(nameOrId: string, roster: Roster): string {
  const shown = nameOrId.length > 60 ? `${nameOrId.slice(0, 60)}…` : nameOrId;
  return `I don’t know an agent called “${shown}”. ${rosterText(roster)}`;
}

/** Lists the roster, or says how to name an agent without one. */
export function rosterText(roster: Roster): string {
  if (roster.size === 0)
    return 'No agent aliases are configured (AGENTS); name an agent by its id (ag:… or ag_…).';
  const lines = [...roster.values()].map(
    (profile) => `• ${profile.alias} — ${profile.name ?? profile.id}`,
  );
  return ['Known agents:', ...lines, 'Or name an agent by its id (ag:… or ag_…).'].join('\n');
}
