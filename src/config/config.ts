import type { HistoryLimits } from '../store/store.js';
import { type AccessConfig, readAccess } from './access-config.js';
import { type Reader, reader } from './env-reader.js';
import { parseRoster, type Roster } from './roster.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface MistralConfig {
  readonly apiKey: string;
  readonly serverUrl: string;
  readonly defaultAgentId: string;
  /** Longest wait for the agent's first byte and between streamed chunks. */
  readonly timeoutMs: number;
  /** Total time spent retrying 429/5xx before the error reaches the person. */
  readonly retryBudgetMs: number;
}

export interface SlackConfig {
  readonly botToken: string;
  readonly signingSecret: string | undefined;
  readonly appToken: string | undefined;
  readonly apiUrl: string | undefined;
}

export interface DiscordConfig {
  readonly token: string;
  /** Gateway shards this process runs: a count, or 'auto' for Discord's recommendation. */
  readonly shards: number | 'auto';
  readonly apiUrl: string | undefined;
  readonly guildId: string | undefined;
}

export interface Config {
  readonly mistral: MistralConfig;
  readonly roster: Roster;
  readonly redisUrl: string | undefined;
  /** Starts every Redis key (and queue) name, so several deployments can share one Redis. */
  readonly redisPrefix: string;
  /** How long a thread's turn outlives a process that died holding it (Redis only). */
  readonly turnLeaseMs: number;
  readonly queue: QueueConfig;
  readonly slack: SlackConfig | undefined;
  readonly discord: DiscordConfig | undefined;
  readonly roleplay: {
    readonly maxTurns: number;
    readonly defaultTurns: number;
    /** Pause between two lines of a role-play. */
    readonly pauseMs: number;
  };
  readonly history: HistoryLimits;
  /** Who may use Parley, where, and how much. */
  readonly access: AccessConfig;
  readonly port: number;
  readonly logLevel: LogLevel;
}

/** The work queue (with REDIS_URL): how workers take and retry jobs. */
export interface QueueConfig {
  /** A dead worker's job is taken over after about this long. */
  readonly lockMs: number;
  /** Answers one worker process holds in flight at most. */
  readonly concurrency: number;
  /** Role-plays one worker process drives at once. */
  readonly playConcurrency: number;
  /** Agent calls per second across every worker; none when unset. */
  readonly agentCallsPerSecond: number | undefined;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly problems: readonly string[] };

export type Env = Readonly<Record<string, string | undefined>>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Every default in one place. */
export const DEFAULTS = {
  mistralServerUrl: 'https://api.mistral.ai',
  port: 3000,
  logLevel: 'info',
  roleplayMaxTurns: 20,
  roleplayDefaultTurns: 6,
  // Long enough to read a line before the next one starts streaming.
  roleplayPauseMs: 1_500,
  historyMaxMessages: 50,
  // ~32k characters ≈ 8k tokens: leaves most of a small model's context for the answer.
  historyMaxChars: 32_000,
  historyTtlDays: 30,
  agentTimeoutMs: 120_000,
  agentRetryBudgetMs: 30_000,
  // A dead process blocks its threads this long; renewals every third of it keep live ones.
  // It outlasts the queue's takeover (lock + stalled check), so a retried job keeps its place.
  turnLeaseMs: 10_000,
  // A dead worker's job is taken over 5–7 s after it died (the lock, then a stalled check).
  queueLockMs: 5_000,
  // Answers spend seconds waiting on Mistral, not on CPU: one process holds a thousand in
  // flight; memory (the worker stops taking jobs near the heap limit) and the agent rate
  // limit bound the work, not a slot count.
  workerConcurrency: 1_000,
  // Plays have their own capacity, so running plays never hold the slots answers need.
  playConcurrency: 100,
} as const satisfies Record<string, string | number>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** Reads and validates the whole configuration, reporting every problem at once. */
export function loadConfig(env: Env, readFile?: (path: string) => string): ConfigResult {
  const { config, problems } = readSettings(env, readFile);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** What serving (`npm start`) needs beyond {@link loadConfig}. */
export interface ServeNeeds {
  /** The `--role` other than `all` this process runs: it shares work through Redis. */
  readonly scaledOutRole?: string;
}

/**
 * The configuration `npm start` needs: loadConfig's, plus a platform to serve (and Redis for a
 * scaled-out role), every problem in one list, so nobody fixes them one start at a time.
 */
export function loadServeConfig(
  env: Env,
  needs: ServeNeeds = {},
  readFile?: (path: string) => string,
): ConfigResult {
  const { config, problems } = readSettings(env, readFile);
  if (enabledPlatforms(config).length === 0) problems.push(NO_PLATFORM_PROBLEM);
  const role = needs.scaledOutRole;
  // Set but not a URL is a problem of its own already.
  if (role !== undefined && !hasValue(env.REDIS_URL))
    problems.push(
      `--role ${role} needs REDIS_URL: the processes of a scaled-out Parley share their work through Redis`,
    );
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

function hasValue(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

/** Every setting read, with every problem found (the config is only usable without problems). */
function readSettings(
  env: Env,
  readFile: ((path: string) => string) | undefined,
): { config: Config; problems: string[] } {
  const problems: string[] = [];
  const read = reader(env, problems);
  const rosterResult = parseRoster(env.AGENTS, readFile);
  if (!rosterResult.ok) problems.push(rosterResult.problem);
  const roster = rosterResult.ok ? rosterResult.roster : new Map();
  const config: Config = {
    mistral: readMistral(read, roster),
    roster,
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: readRedisPrefix(read),
    ...readQueueAndLease(read),
    slack: readSlack(read),
    discord: readDiscord(read),
    roleplay: readRoleplay(read),
    history: readHistory(read),
    access: readAccess(read),
    port: read.int('PORT', DEFAULTS.port, 0, 65_535),
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, DEFAULTS.logLevel),
  };
  return { config, problems };
}

function readMistral(read: Reader, roster: Roster): MistralConfig {
  const agent = read.required(
    'MISTRAL_AGENT_ID',
    'the agent that answers mentions and DMs (an agent id like ag:… or an AGENTS alias)',
  );
  return {
    apiKey: read.required('MISTRAL_API_KEY', 'your key from console.mistral.ai → API keys'),
    serverUrl: read.url('MISTRAL_SERVER_URL', ['http:', 'https:']) ?? DEFAULTS.mistralServerUrl,
    defaultAgentId: roster.get(agent.toLowerCase())?.id ?? agent,
    timeoutMs: read.int('AGENT_TIMEOUT_MS', DEFAULTS.agentTimeoutMs, 1_000, 600_000),
    retryBudgetMs: read.int('AGENT_RETRY_BUDGET_MS', DEFAULTS.agentRetryBudgetMs, 0, 600_000),
  };
}

function readSlack(read: Reader): SlackConfig | undefined {
  const botToken = read.token('SLACK_BOT_TOKEN', 'xoxb-');
  const appToken = read.token('SLACK_APP_TOKEN', 'xapp-');
  const signingSecret = read.optional('SLACK_SIGNING_SECRET');
  const apiUrl = read.url('SLACK_API_URL', ['http:', 'https:']);
  if (botToken === undefined) {
    if (appToken !== undefined) read.problem('SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not');
    return undefined;
  }
  if (appToken === undefined && signingSecret === undefined) {
    read.problem(
      'SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN: Slack app → Basic Information → Signing Secret (or set SLACK_APP_TOKEN for Socket Mode)',
    );
  }
  return { botToken, signingSecret, appToken, apiUrl };
}

function readDiscord(read: Reader): DiscordConfig | undefined {
  const token = read.optional('DISCORD_TOKEN');
  const apiUrl = read.url('DISCORD_API_URL', ['http:', 'https:']);
  const guildId = read.optional('DISCORD_GUILD_ID');
  if (guildId !== undefined && !/^\d{17,20}$/.test(guildId)) {
    read.problem(
      'DISCORD_GUILD_ID must be a server id (17–20 digits): Discord → right-click the server → Copy Server ID',
    );
  }
  const shardsText = read.optional('DISCORD_SHARDS');
  const shards =
    shardsText === undefined || shardsText === 'auto'
      ? 'auto'
      : read.int('DISCORD_SHARDS', 1, 1, 1_024);
  return token === undefined ? undefined : { token, apiUrl, guildId, shards };
}

const REDIS_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

function readRedisPrefix(read: Reader): string {
  const prefix = read.optional('REDIS_PREFIX') ?? 'parley';
  if (REDIS_PREFIX_PATTERN.test(prefix)) return prefix;
  read.problem(
    'REDIS_PREFIX must be 1–40 letters, digits, - or _ (it starts every Redis key Parley writes)',
  );
  return 'parley';
}

/** The turn lease defaults to twice the queue lock (at least 10 s): a retry finds its place. */
function readQueueAndLease(read: Reader): Pick<Config, 'queue' | 'turnLeaseMs'> {
  const queue = readQueue(read);
  const fallback = Math.max(DEFAULTS.turnLeaseMs, 2 * queue.lockMs);
  return { queue, turnLeaseMs: read.int('TURN_LEASE_MS', fallback, 1_000, 1_200_000) };
}

function readQueue(read: Reader): QueueConfig {
  const perSecond = read.optional('AGENT_RATE_LIMIT_PER_SECOND');
  return {
    lockMs: read.int('QUEUE_LOCK_MS', DEFAULTS.queueLockMs, 1_000, 600_000),
    concurrency: read.int('WORKER_CONCURRENCY', DEFAULTS.workerConcurrency, 1, 100_000),
    playConcurrency: read.int('WORKER_PLAY_CONCURRENCY', DEFAULTS.playConcurrency, 1, 10_000),
    agentCallsPerSecond:
      perSecond === undefined ? undefined : read.int('AGENT_RATE_LIMIT_PER_SECOND', 1, 1, 10_000),
  };
}

function readRoleplay(read: Reader): Config['roleplay'] {
  const maxTurns = read.int('ROLEPLAY_MAX_TURNS', DEFAULTS.roleplayMaxTurns, 1, 200);
  return {
    maxTurns,
    defaultTurns: Math.min(DEFAULTS.roleplayDefaultTurns, maxTurns),
    pauseMs: read.int('ROLEPLAY_PAUSE_MS', DEFAULTS.roleplayPauseMs, 0, 60_000),
  };
}

function readHistory(read: Reader): HistoryLimits {
  return {
    maxMessages: read.int('HISTORY_MAX_MESSAGES', DEFAULTS.historyMaxMessages, 2, 1_000),
    maxChars: read.int('HISTORY_MAX_CHARS', DEFAULTS.historyMaxChars, 1_000, 1_000_000),
    ttlMs: read.int('HISTORY_TTL_DAYS', DEFAULTS.historyTtlDays, 1, 3_650) * DAY_MS,
  };
}

/** Which platforms the configuration enables. */
export function enabledPlatforms(config: Config): readonly ('slack' | 'discord')[] {
  return [
    ...(config.slack ? ['slack' as const] : []),
    ...(config.discord ? ['discord' as const] : []),
  ];
}

/** The problem of a server started with no platform configured (lines after the first are details). */
export const NO_PLATFORM_PROBLEM = [
  'SLACK_BOT_TOKEN or DISCORD_TOKEN is required: no chat platform is configured, so there is nothing to serve. Set at least one:',
  '  Slack:   SLACK_BOT_TOKEN (xoxb-…) and SLACK_SIGNING_SECRET (HTTP events at POST /slack/events),',
  '           or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (xapp-…) for Socket Mode.',
  '  Discord: DISCORD_TOKEN (Developer Portal → your application → Bot → Reset Token).',
  'See README.md → Setup. To talk to the agent in this terminal instead: npm run chat',
].join('\n');
