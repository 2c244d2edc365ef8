import { ALIAS_KEY, draftOf, FINGERPRINT_KEY } from './agent-draft.js';
import type { AgentsApi, RemoteAgent } from './agents-api.js';
import type { AgentSpec } from './agents-file.js';
import { creationOrder } from './handoff-order.js';

export type SyncOutcome = 'created' | 'updated' | 'unchanged';

/** What sync did (or, in a dry run, would do) to one agent. */
export interface SyncLine {
  readonly alias: string;
  /** Undefined only in a dry run, for an agent that does not exist yet. */
  readonly id: string | undefined;
  readonly version: number | undefined;
  readonly outcome: SyncOutcome;
  readonly name: string;
  readonly avatar?: string;
}

/**
 * Creates the agents that do not exist, updates those that changed and leaves the rest alone.
 * Agents are matched by the alias recorded in their metadata, never by name, and created after
 * the agents they hand off to, so every handoff id exists when it is sent.
 */
export async function syncAgents(
  agents: readonly AgentSpec[],
  api: AgentsApi,
  options: { readonly dryRun: boolean },
): Promise<SyncLine[]> {
  const existing = byAlias(await api.list());
  const ids = new Map<string, string>();
  const lines: SyncLine[] = [];
  for (const spec of creationOrder(agents)) {
    // In a dry run a new target has no id yet; the placeholder still marks its sources as changed.
    const handoffIds = spec.handoffs.map((alias) => ids.get(alias) ?? `(new ${alias})`);
    const draft = draftOf(spec, handoffIds);
    const current = existing.get(spec.alias);
    const outcome: SyncOutcome =
      current === undefined
        ? 'created'
        : current.metadata[FINGERPRINT_KEY] === draft.metadata[FINGERPRINT_KEY]
          ? 'unchanged'
          : 'updated';
    const result = await apply(api, outcome, current, draft, options.dryRun);
    if (result !== undefined) ids.set(spec.alias, result.id);
    lines.push({
      alias: spec.alias,
      id: result?.id,
      version: result?.version,
      outcome,
      name: spec.name,
      ...(spec.avatar === undefined ? {} : { avatar: spec.avatar }),
    });
  }
  return lines;
}

async function apply(
  api: AgentsApi,
  outcome: SyncOutcome,
  current: RemoteAgent | undefined,
  draft: ReturnType<typeof draftOf>,
  isDryRun: boolean,
): Promise<RemoteAgent | undefined> {
  if (current === undefined) return isDryRun ? undefined : api.create(draft);
  if (outcome === 'unchanged' || isDryRun) return current;
  return api.update(current.id, draft);
}

function byAlias(agents: readonly RemoteAgent[]): Map<string, RemoteAgent> {
  const found = new Map<string, RemoteAgent>();
  for (const agent of agents) {
    const alias = agent.metadata[ALIAS_KEY];
    if (typeof alias === 'string' && !found.has(alias)) found.set(alias, agent);
  }
  return found;
}

/** One printed line: alias, id, version and outcome, in aligned columns. */
export function formatSyncLines(lines: readonly SyncLine[]): string[] {
  const width = Math.max(...lines.map((line) => line.alias.length), 5);
  return lines.map((line) => {
    const version = line.version === undefined ? 'v-' : `v${line.version}`;
    return `${line.alias.padEnd(width)}  ${line.id ?? '(new)'}  ${version}  ${line.outcome}`;
  });
}

/** The roster file `AGENTS=./agents.json` reads: `{ alias: { id, name, avatar } }`. */
export function rosterOf(lines: readonly SyncLine[]): Record<string, Record<string, string>> {
  const roster: Record<string, Record<string, string>> = {};
  for (const line of lines) {
    if (line.id === undefined) continue;
    roster[line.alias] = {
      id: line.id,
      name: line.name,
      ...(line.avatar === undefined ? {} : { avatar: line.avatar }),
    };
  }
  return roster;
}
