import { describe, expect, it } from 'vitest';
import { loadConfig, loadServeConfig } from '../../src/config/config.js';

const MISTRAL = { MISTRAL_API_KEY: 'key', MISTRAL_AGENT_ID: 'ag:main' };
const SLACK = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };

function problemsOf(result: ReturnType<typeof loadServeConfig>): readonly string[] {
  return result.ok ? [] : result.problems;
}

describe('loadServeConfig', () => {
  it('lists the missing platform with the missing Mistral settings, in one list', () => {
    const result = loadServeConfig({});

    expect(problemsOf(result)).toEqual([
      expect.stringMatching(/^MISTRAL_AGENT_ID is required/),
      expect.stringMatching(/^MISTRAL_API_KEY is required/),
      expect.stringMatching(/^SLACK_BOT_TOKEN or DISCORD_TOKEN is required/),
    ]);
  });

  it('lists Redis too for a scaled-out role, unless REDIS_URL is set', () => {
    const missing = loadServeConfig({ ...MISTRAL, ...SLACK }, { scaledOutRole: 'worker' });
    const set = loadServeConfig(
      { ...MISTRAL, ...SLACK, REDIS_URL: 'redis://127.0.0.1:6379' },
      { scaledOutRole: 'worker' },
    );

    expect(problemsOf(missing)).toEqual([expect.stringMatching(/^--role worker needs REDIS_URL/)]);
    expect(set.ok).toBe(true);
  });

  it('accepts either platform, and a platform with its own problem is not reported missing', () => {
    const discord = loadServeConfig({ ...MISTRAL, DISCORD_TOKEN: 'token' });
    const noSecret = loadServeConfig({ ...MISTRAL, SLACK_BOT_TOKEN: 'xoxb-1' });

    expect(discord.ok).toBe(true);
    expect(problemsOf(noSecret)).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET is required/),
    ]);
  });

  it('leaves loadConfig (the terminal chat) needing no platform', () => {
    expect(loadConfig(MISTRAL).ok).toBe(true);
    expect(loadServeConfig(MISTRAL).ok).toBe(false);
  });
});
