import { basename, dirname, join } from 'node:path';
import { createMistralAgentsApi, type MistralAgentsConfig } from '../agent/mistral-agents.js';
import { DEFAULTS, type Env } from '../config/config.js';
import { ParleyError } from '../errors.js';
import { ALIAS_KEY } from './agent-draft.js';
import type { AgentsApi } from './agents-api.js';
import { parseAgentsFile } from './agents-file.js';
import { formatSyncLines, rosterOf, syncAgents } from './sync.js';

/** Everything the agents command touches, injected so tests run it against the fake. */
export interface AgentsCommandDeps {
  readonly env: Env;
  readonly readFile: (path: string) => string;
  readonly writeFile: (path: string, text: string) => void;
  readonly print: (line: string) => void;
  readonly printError: (line: string) => void;
  readonly apiFor?: (config: MistralAgentsConfig) => AgentsApi;
}

const DEFAULT_AGENTS_FILE = 'agents.yaml';
const ROSTER_FILE = 'agents.json';
const HTTP_URL_PATTERN = /^https?:\/\/\S+$/;
const USAGE = 'usage: npm run agents -- sync [FILE] [--dry-run] | npm run agents -- list';

/** Runs `sync [FILE] [--dry-run]` or `list`; resolves to the process exit code. */
export async function runAgentsCommand(
  args: readonly string[],
  deps: AgentsCommandDeps,
): Promise<number> {
  const [command, ...rest] = args;
  if (command !== 'sync' && command !== 'list') return fail(deps, USAGE, 64);
  const config = readMistral(deps.env);
  if (typeof config === 'string') return fail(deps, config, 78);
  const api = (deps.apiFor ?? createMistralAgentsApi)(config);
  try {
    return command === 'list' ? await list(api, deps) : await sync(rest, api, deps);
  } catch (error) {
    const code = error instanceof ParleyError ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    return fail(deps, `agents: ${code}: ${message}`, 1);
  }
}

async function sync(
  args: readonly string[],
  api: AgentsApi,
  deps: AgentsCommandDeps,
): Promise<number> {
  const isDryRun = args.includes('--dry-run');
  const files = args.filter((arg) => arg !== '--dry-run');
  if (files.length > 1 || files.some((arg) => arg.startsWith('--'))) return fail(deps, USAGE, 64);
  const file = files[0] ?? DEFAULT_AGENTS_FILE;
  const rosterPath = join(dirname(file), ROSTER_FILE);
  if (basename(file) === ROSTER_FILE) {
    return fail(
      deps,
      `${file}: the roster ${ROSTER_FILE} is written next to it; rename the agents file`,
      64,
    );
  }
  let text: string;
  try {
    text = deps.readFile(file);
  } catch {
    return fail(deps, `${file}: cannot be read`, 66);
  }
  const parsed = parseAgentsFile(text, file);
  if (!parsed.ok) {
    for (const problem of parsed.problems) deps.printError(problem);
    return fail(deps, `${file}: ${parsed.problems.length} problem(s), nothing was written`, 65);
  }
  const lines = await syncAgents(parsed.agents, api, { dryRun: isDryRun });
  for (const line of formatSyncLines(lines)) deps.print(line);
  if (isDryRun) deps.print('dry run: nothing was written');
  else {
    deps.writeFile(rosterPath, `${JSON.stringify(rosterOf(lines), null, 2)}\n`);
    deps.print(`roster written to ${rosterPath} (AGENTS=${rosterPath})`);
  }
  return 0;
}

async function list(api: AgentsApi, deps: AgentsCommandDeps): Promise<number> {
  for (const agent of await api.list()) {
    const alias = agent.metadata[ALIAS_KEY];
    const shown = typeof alias === 'string' ? alias : '-';
    deps.print(`${shown}  ${agent.id}  ${agent.model}  v${agent.version}  ${agent.name}`);
  }
  return 0;
}

/** The key and server from the environment; a problem names the variable, never the key's value. */
function readMistral(env: Env): MistralAgentsConfig | string {
  const apiKey = env.MISTRAL_API_KEY?.trim() ?? '';
  if (apiKey === '')
    return 'MISTRAL_API_KEY is required: your key from console.mistral.ai → API keys';
  const serverUrl = env.MISTRAL_SERVER_URL?.trim() || DEFAULTS.mistralServerUrl;
  if (!HTTP_URL_PATTERN.test(serverUrl)) return 'MISTRAL_SERVER_URL must be an http(s) URL';
  return { apiKey, serverUrl };
}

function fail(deps: AgentsCommandDeps, message: string, code: number): number {
  deps.printError(message);
  return code;
}
