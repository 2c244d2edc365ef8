/** What handoff checks and ordering need to know of an agent. */
export interface HandoffNode {
  readonly alias: string;
  readonly handoffs: readonly string[];
}

/**
 * Problems with the handoffs: unknown aliases, an agent handing off to itself, and cycles.
 * A cycle is refused rather than created then patched: an agent needs its targets' ids when it
 * is created, and a create-then-update would give a fresh agent two versions on its first sync.
 */
export function checkHandoffs(
  agents: readonly HandoffNode[],
  aliases: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  for (const agent of agents) {
    agent.handoffs.forEach((target, index) => {
      const place = `${agent.alias}.handoffs[${index}]`;
      if (target === agent.alias) problems.push(`${place}: an agent cannot hand off to itself`);
      else if (!aliases.has(target)) problems.push(`${place}: no agent "${target}" in this file`);
    });
  }
  if (problems.length > 0) return problems;
  const cycle = findCycle(agents);
  return cycle === undefined ? [] : [`handoffs: ${cycle.join(' → ')} is a cycle`];
}

/** The agents, each after every agent it hands off to (so their ids exist when it is created). */
export function creationOrder<T extends HandoffNode>(agents: readonly T[]): T[] {
  const byAlias = new Map(agents.map((agent) => [agent.alias, agent]));
  const ordered: T[] = [];
  const placed = new Set<string>();
  const place = (agent: T): void => {
    if (placed.has(agent.alias)) return;
    placed.add(agent.alias);
    for (const target of agent.handoffs) {
      const next = byAlias.get(target);
      if (next !== undefined) place(next);
    }
    ordered.push(agent);
  };
  for (const agent of agents) place(agent);
  return ordered;
}

function findCycle(agents: readonly HandoffNode[]): string[] | undefined {
  const byAlias = new Map(agents.map((agent) => [agent.alias, agent]));
  const done = new Set<string>();
  const visit = (alias: string, path: string[]): string[] | undefined => {
    const start = path.indexOf(alias);
    if (start >= 0) return [...path.slice(start), alias];
    if (done.has(alias)) return undefined;
    for (const target of byAlias.get(alias)?.handoffs ?? []) {
      const cycle = visit(target, [...path, alias]);
      if (cycle !== undefined) return cycle;
    }
    done.add(alias);
    return undefined;
  };
  for (const agent of agents) {
    const cycle = visit(agent.alias, []);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}
