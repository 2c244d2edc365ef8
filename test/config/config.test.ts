import { describe, expect, it } from 'vitest';
import { enabledPlatforms, loadConfig } from '../../src/config/config.js';
import { testSecret } from '../support/test-secret.js';

const BASE = {
  MISTRAL_API_KEY: testSecret('sk-'),
  MISTRAL_AGENT_ID: 'ag:3996db2b:20240805:french-agent:a8997aab',
};

describe('loadConfig', () => {
  it('reports every missing required variable at once, by name, with a hint', () => {
    const result = loadConfig({});

    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^MISTRAL_AGENT_ID is required: the agent that answers/);
    expect(problems[1]).toMatch(/^MISTRAL_API_KEY is required: /);
  });

  it('applies the defaults of DESIGN §6', () => {
    const result = loadConfig(BASE);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.mistral.serverUrl).toBe('https://api.mistral.ai');
    expect(result.config.port).toBe(3000);
    expect(result.config.logLevel).toBe('info');
    expect(result.config.roleplay.maxTurns).toBe(20);
    expect(result.config.history.ttlMs).toBe(30 * 24 * 60 * 60 * 1000);
    expect(result.config.redisUrl).toBeUndefined();
    expect(enabledPlatforms(result.config)).toEqual([]);
  });

  it('reads the scale-out settings, and refuses bad ones by name', () => {
    const good = loadConfig({
      ...BASE,
      REDIS_PREFIX: 'prod-eu',
      QUEUE_LOCK_MS: '8000',
      WORKER_CONCURRENCY: '4',
      WORKER_PLAY_CONCURRENCY: '7',
      AGENT_RATE_LIMIT_PER_SECOND: '3',
      DISCORD_TOKEN: 'discord-token',
      DISCORD_SHARDS: '2',
    });
    const bad = loadConfig({
      ...BASE,
      REDIS_PREFIX: 'a b',
      AGENT_RATE_LIMIT_PER_SECOND: 'fast',
      DISCORD_TOKEN: 't',
      DISCORD_SHARDS: '0',
    });

    expect(good.ok && good.config.queue).toEqual({
      lockMs: 8_000,
      concurrency: 4,
      playConcurrency: 7,
      agentCallsPerSecond: 3,
    });
    // The turn lease outlasts a queue takeover, so a retried job keeps its place in line.
    expect(good.ok && good.config.turnLeaseMs).toBe(16_000);
    expect(good.ok && [good.config.redisPrefix, good.config.discord?.shards]).toEqual([
      'prod-eu',
      2,
    ]);
    const problems = bad.ok ? [] : bad.problems.join('\n');
    expect(problems).toContain('REDIS_PREFIX');
    expect(problems).toContain('AGENT_RATE_LIMIT_PER_SECOND');
    expect(problems).toContain('DISCORD_SHARDS');
  });

  it('never echoes a secret value in a problem', () => {
    const secret = testSecret('xoxp-');
    const result = loadConfig({
      ...BASE,
      SLACK_BOT_TOKEN: secret,
      PORT: 'abc',
      REDIS_URL: 'http://x:pw@h',
    });

    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.join('\n');
    expect(text).toContain('SLACK_BOT_TOKEN must start with "xoxb-"');
    expect(text).toContain('SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN');
    expect(text).toContain('PORT must be a whole number from 0 to 65535');
    expect(text).toContain('REDIS_URL must be a redis: or rediss:// URL');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('pw');
  });

  it('enables Slack over HTTP, Slack in Socket Mode and Discord by their tokens', () => {
    const http = loadConfig({ ...BASE, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    const socket = loadConfig({ ...BASE, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    const discord = loadConfig({
      ...BASE,
      DISCORD_TOKEN: 'abc',
      DISCORD_GUILD_ID: '123456789012345678',
    });

    expect(http.ok && enabledPlatforms(http.config)).toEqual(['slack']);
    expect(socket.ok && socket.config.slack?.appToken).toBe('xapp-1');
    expect(discord.ok && enabledPlatforms(discord.config)).toEqual(['discord']);
  });

  it('resolves MISTRAL_AGENT_ID given as a roster alias', () => {
    const result = loadConfig({ ...BASE, MISTRAL_AGENT_ID: 'Ali', AGENTS: 'ali=ag:1:2:ali:3' });

    expect(result.ok && result.config.mistral.defaultAgentId).toBe('ag:1:2:ali:3');
  });

  it('rejects numbers out of range and unknown log levels', () => {
    const result = loadConfig({
      ...BASE,
      ROLEPLAY_MAX_TURNS: '0',
      LOG_LEVEL: 'loud',
      DISCORD_GUILD_ID: 'x',
    });

    const problems = result.ok ? [] : result.problems;
    expect(problems).toContain('ROLEPLAY_MAX_TURNS must be a whole number from 1 to 200');
    expect(problems).toContain('LOG_LEVEL must be one of fatal, error, warn, info, debug, trace');
    expect(
      problems.some((problem) => problem.startsWith('DISCORD_GUILD_ID must be a server id')),
    ).toBe(true);
  });
});
