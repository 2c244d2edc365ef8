import { describe, expect, it } from 'vitest';
import {
  DISCORD_THREAD_NAME_MAX,
  type DiscordMessageFacts,
  routeDiscordMessage,
  threadNameFrom,
} from '../../adapters/discord/discord-events.js';
import { discordTextToMarkdown } from '../../adapters/discord/discord-text.js';
import { parseParleyCommand } from '../../adapters/slack/slack-commands.js';
import { routeSlackEvent } from '../../adapters/slack/slack-events.js';
import { slackTextToMarkdown } from '../../adapters/slack/slack-text.js';
import { loadConfig } from '../../src/config/config.js';
import { parseRoster } from '../../src/config/roster.js';
import { MAX_TOPIC_LENGTH, parseRoleplayCommand } from '../../src/roleplay/roleplay-command.js';
import { createRandom, FUZZ_SEED, type Random, reportCount } from './seeded-random.js';

const SLACK_BOT = 'U0BOT';
const DISCORD_BOT = '1100000000000000001';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LIMITS = { defaultTurns: 6, maxTurns: 20 };
const roster = (() => {
  const parsed = parseRoster('main=ag:fuzz:main,other=ag:fuzz:other');
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.roster;
})();

/** `count` inputs from a generator seeded for this category alone. */
function generate<T>(category: string, offset: number, count: number, make: (r: Random) => T) {
  const seed = FUZZ_SEED + offset;
  const random = createRandom(seed);
  reportCount(category, count, seed);
  return Array.from({ length: count }, () => make(random));
}

/** A valid Slack message event with some fields replaced by garbage, removed or retyped. */
function mutatedSlackEvent(random: Random): unknown {
  if (random.chance(0.15)) return random.value(3);
  const event: Record<string, unknown> = {
    type: random.pick(['message', 'app_mention']),
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    ts: '1712345678.000100',
    text: `<@${SLACK_BOT}> ${random.text()}`,
    channel_type: 'channel',
  };
  const fields = ['type', 'user', 'channel', 'ts', 'thread_ts', 'text', 'subtype', 'bot_id'];
  for (let i = random.int(1, 4); i > 0; i--) {
    const field = random.pick([...fields, 'files', 'channel_type', 'team']);
    if (random.chance(0.2)) delete event[field];
    else event[field] = random.value(2);
  }
  return event;
}

function discordFacts(random: Random): DiscordMessageFacts {
  return {
    id: String(random.int(0, 1e9)),
    channelId: random.pick(['1', '', random.text()]),
    guildId: random.pick([null, '1100000000000000100', '']),
    channelKind: random.pick(['dm', 'text', 'thread', 'other'] as const),
    parentId: random.pick([null, '', '1100000000000000200']),
    authorId: random.pick([DISCORD_BOT, '1100000000000000300', '', random.text()]),
    isAuthorBot: random.chance(0.2),
    webhookId: random.pick([null, null, '9', '']),
    type: random.pick([0, 19, 7, 20, -1, Number.NaN, 1e9]),
    isEdit: random.chance(0.1),
    content: random.text(12),
    mentionsBot: random.chance(0.5),
  };
}

function mentionStorm(random: Random, size: number): string {
  return Array.from({ length: size }, (_, i) =>
    random.pick([`<@U0X${i}>`, `<@${SLACK_BOT}>`, `<@W${i}|w>`, '<@>', `<@U${'9'.repeat(40)}>`]),
  ).join(random.pick(['', ' ', '\n']));
}

describe('routeSlackEvent with garbage', () => {
  it('always answers with a well-formed route, never throws and never routes itself', () => {
    const inputs = generate('routeSlackEvent', 1, 300, mutatedSlackEvent);

    for (const input of inputs) {
      const route = routeSlackEvent(input, SLACK_BOT);

      expect(['answer', 'thread-reply', 'ignored']).toContain(route.kind);
      if (route.kind === 'ignored') continue;
      expect(route.event.user).not.toBe(SLACK_BOT);
      expect(route.event.ts).toMatch(/^\d{1,12}\.\d{1,8}$/);
      expect(typeof route.event.text).toBe('string');
      for (const file of route.event.files) expect(typeof file.ref).toBe('string');
    }
  });
});

describe('slackTextToMarkdown with garbage', () => {
  it('returns text without the bot mention, looking up a bounded number of people', async () => {
    const inputs = generate('slackTextToMarkdown', 2, 150, (random) =>
      random.chance(0.2) ? mentionStorm(random, 1_000) : random.text(30),
    );

    for (const input of inputs) {
      const looked: string[] = [];
      const nameOf = async (id: string) => {
        looked.push(id);
        return id.endsWith('1') ? '' : `Name ${id}`;
      };

      const markdown = await slackTextToMarkdown(input, SLACK_BOT, nameOf);

      expect(typeof markdown).toBe('string');
      expect(markdown).not.toContain(`<@${SLACK_BOT}>`);
      expect(looked.length).toBeLessThanOrEqual(20);
    }
  });
});

describe('routeDiscordMessage and threadNameFrom with garbage', () => {
  it('routes every message, never its own, webhook or bot messages', () => {
    const inputs = generate('routeDiscordMessage', 3, 200, discordFacts);

    for (const facts of inputs) {
      const route = routeDiscordMessage(facts, DISCORD_BOT);

      expect(['open-thread', 'thread-mention', 'thread-reply', 'dm', 'ignored']).toContain(
        route.kind,
      );
      if (facts.authorId === DISCORD_BOT || facts.webhookId !== null || facts.isAuthorBot)
        expect(route.kind).toBe('ignored');
    }
  });

  it('names threads with 1–100 showable characters, whatever the question', () => {
    const inputs = generate('threadNameFrom', 4, 150, (random) =>
      random.chance(0.2) ? random.text(4).repeat(random.int(50, 500)) : random.text(20),
    );

    for (const question of inputs) {
      const name = threadNameFrom(question);

      expect(name.length).toBeGreaterThan(0);
      expect(name.length).toBeLessThanOrEqual(DISCORD_THREAD_NAME_MAX);
      expect(name).not.toMatch(LONE_SURROGATE);
      expect(name).not.toMatch(/\p{Cc}/u);
    }
  });

  it('turns Discord text into Markdown without the bot mention', () => {
    const names = {
      users: new Map([['1100000000000000300', 'Alice']]),
      channels: new Map<string, string>(),
      roles: new Map<string, string>(),
    };
    const inputs = generate('discordTextToMarkdown', 5, 150, (random) =>
      [random.text(10), `<@${DISCORD_BOT}>`, `<@!${DISCORD_BOT}>`, '<#1>', `<@&${'1'.repeat(18)}>`]
        .filter(() => random.chance(0.6))
        .join(random.pick([' ', ''])),
    );

    for (const content of inputs) {
      const markdown = discordTextToMarkdown(content, DISCORD_BOT, names);

      expect(markdown).not.toContain(`<@${DISCORD_BOT}>`);
      expect(markdown).not.toContain(`<@!${DISCORD_BOT}>`);
    }
  });
});

describe('parseRoleplayCommand with garbage', () => {
  it('starts only plays with known agents, 1–max turns and a topic of at most 500 characters', () => {
    const inputs = generate('parseRoleplayCommand', 6, 200, (random) =>
      [
        random.pick(['main', 'other', 'MAIN', 'nobody', '', random.text(2)]),
        random.pick(['main', 'other', 'ag:fuzz:x', random.text(2)]),
        random.pick(['', '0', '-1', '99999', '1e9', 'NaN', '2.5', '6', '20', '21']),
        random.chance(0.1) ? 'x'.repeat(10_000) : random.text(6),
      ].join(' '),
    );

    for (const text of inputs) {
      const command = parseRoleplayCommand(text, roster, LIMITS);

      expect(['start', 'stop', 'usage']).toContain(command.kind);
      if (command.kind !== 'start') continue;
      expect(Number.isInteger(command.turns)).toBe(true);
      expect(command.turns).toBeGreaterThanOrEqual(1);
      expect(command.turns).toBeLessThanOrEqual(LIMITS.maxTurns);
      expect(command.topic.length).toBeGreaterThan(0);
      expect(command.topic.length).toBeLessThanOrEqual(MAX_TOPIC_LENGTH);
    }
  });

  it.each(['0', '-1', '99999', '1e9', '2.5', '+50', '-0'])(
    'refuses %s turns with the range, not as part of the topic',
    (turns) => {
      const command = parseRoleplayCommand(`main other ${turns} first dates`, roster, LIMITS);

      expect(command).toEqual({
        kind: 'usage',
        problem: 'Turns must be between 1 and 20 (ROLEPLAY_MAX_TURNS).',
      });
    },
  );

  it('reads NaN where the turns go as the first word of the topic', () => {
    const command = parseRoleplayCommand('main other NaN bananas', roster, LIMITS);

    expect(command).toMatchObject({ kind: 'start', turns: 6, topic: 'NaN bananas' });
  });
});

describe('parseParleyCommand with garbage', () => {
  it('always parses into a known kind with bounded, whole-character arguments', () => {
    const inputs = generate('parseParleyCommand', 7, 150, (random) =>
      [random.pick(['', 'help', 'reset', 'agent', 'AGENT', random.text(2)]), random.text(8)]
        .join(' ')
        .repeat(random.chance(0.1) ? 200 : 1),
    );

    for (const text of inputs) {
      const command = parseParleyCommand(text);

      expect(['help', 'reset', 'agent', 'unknown']).toContain(command.kind);
      if (command.kind === 'agent' && command.nameOrId !== undefined) {
        expect(Array.from(command.nameOrId).length).toBeLessThanOrEqual(200);
        if (!LONE_SURROGATE.test(text)) expect(command.nameOrId).not.toMatch(LONE_SURROGATE);
      }
      if (command.kind === 'unknown') {
        expect(Array.from(command.word).length).toBeLessThanOrEqual(40);
        if (!LONE_SURROGATE.test(text)) expect(command.word).not.toMatch(LONE_SURROGATE);
      }
    }
  });
});

// Secret values carry a marker no problem text could contain by chance.
const SECRET_NAMES = [
  'MISTRAL_API_KEY',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'DISCORD_TOKEN',
] as const;
const OTHER_NAMES = [
  'MISTRAL_AGENT_ID',
  'MISTRAL_SERVER_URL',
  'AGENTS',
  'SLACK_API_URL',
  'DISCORD_API_URL',
  'DISCORD_GUILD_ID',
  'ROLEPLAY_MAX_TURNS',
  'ROLEPLAY_PAUSE_MS',
  'TURN_LEASE_MS',
  'PORT',
  'LOG_LEVEL',
  'HISTORY_MAX_MESSAGES',
  'HISTORY_MAX_CHARS',
  'HISTORY_TTL_DAYS',
  'AGENT_TIMEOUT_MS',
  'AGENT_RETRY_BUDGET_MS',
] as const;

function garbageEnv(random: Random, index: number): Record<string, string | undefined> {
  const secret = (name: string) => {
    const core = `zQ${index}S3CR3T${name.length}x`;
    return random.pick([core, `xoxb-${core}`, `xapp-${core}`, ` ${core}\t`, `${core}\u0000`]);
  };
  const env: Record<string, string | undefined> = {};
  for (const name of SECRET_NAMES) if (random.chance(0.7)) env[name] = secret(name);
  const redisPassword = `zQ${index}REDISPASS`;
  if (random.chance(0.5))
    env.REDIS_URL = random.pick([
      `redis://:${redisPassword}@`,
      `${redisPassword}`,
      `ftp://x:${redisPassword}@h`,
    ]);
  for (const name of OTHER_NAMES) {
    if (random.chance(0.5))
      env[name] = random.pick([random.text(4), '-1', '1e9', 'NaN', '', ' ', '99999999999', '5']);
  }
  return env;
}

describe('loadConfig with garbage environments', () => {
  it('never throws, reports problems by name and never echoes a secret value', () => {
    const envs = generate('loadConfig', 8, 150, (random) => random);
    const inputs = envs.map((random, index) => garbageEnv(random, index));

    for (const env of inputs) {
      const result = loadConfig(env, () => '{ not json');

      if (result.ok) {
        const { config } = result;
        expect(Number.isInteger(config.port)).toBe(true);
        expect(config.roleplay.defaultTurns).toBeLessThanOrEqual(config.roleplay.maxTurns);
        expect(config.mistral.apiKey.length).toBeGreaterThan(0);
        continue;
      }
      expect(result.problems.length).toBeGreaterThan(0);
      const told = result.problems.join('\n');
      expect(told).not.toMatch(/zQ\d+S3CR3T/);
      expect(told).not.toContain('REDISPASS');
    }
  });
});
