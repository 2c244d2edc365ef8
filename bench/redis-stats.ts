/** Server-side command counts of one redis-server (`INFO commandstats`), for per-answer figures. */
import { Redis } from 'ioredis';

const COMMAND_LINE = /^cmdstat_([^:]+):calls=(\d+)/gm;
const CPU_LINE = /^used_cpu_(?:sys|user):([\d.]+)/gm;
// The probe's own commands, left out of what the bot did.
const PROBE_COMMANDS: ReadonlySet<string> = new Set(['info', 'client|setname', 'client|setinfo']);

export type CommandCounts = ReadonlyMap<string, number>;

export interface RedisProbe {
  /** Calls per command since the server started, the probe's own left out. */
  counts(): Promise<CommandCounts>;
  /** CPU milliseconds (user + system) the server has used since it started. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

export function parseCommandStats(info: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of info.matchAll(COMMAND_LINE)) {
    const [, name = '', calls = '0'] = match;
    if (!PROBE_COMMANDS.has(name)) counts.set(name, Number(calls));
  }
  return counts;
}

export function createRedisProbe(url: string): RedisProbe {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const info = async (section: string): Promise<string> => {
    if (client.status === 'wait') await client.connect();
    return client.info(section);
  };
  return {
    counts: async () => parseCommandStats(await info('commandstats')),
    async cpuMs() {
      const seconds = [...(await info('cpu')).matchAll(CPU_LINE)].map((match) => Number(match[1]));
      return seconds.reduce((sum, value) => sum + value, 0) * 1000;
    },
    async close() {
      client.disconnect();
    },
  };
}

/** What happened between two readings, command by command. */
export function countsDelta(before: CommandCounts, after: CommandCounts): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [name, calls] of after) {
    const added = calls - (before.get(name) ?? 0);
    if (added > 0) delta.set(name, added);
  }
  return delta;
}
