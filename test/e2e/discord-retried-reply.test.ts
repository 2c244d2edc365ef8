import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_IDS, type FakeDiscord, startFakeDiscord } from '../fakes/discord/index.js';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { redisUrl } from '../setup/redis.js';
import { gate } from '../support/gate.js';
import {
  discordQueueEnv,
  type ParleyProcess,
  startParleyProcess,
} from '../support/parley-process.js';

/**
 * Discord answers retried on another process after a crash, as deployed: Redis and the queue,
 * Parley as child processes, the real discord.js and Mistral SDK against the fakes. The retry
 * edits what the dead attempt posted (a handed-over part under its persona, the second message
 * of a long answer) and posts nothing twice.
 */
const MAIN = 'ag:dretry:main';
const ANALYST = 'ag:dretry:analyst';
const WAIT_MS = 30_000;
// A prefix of its own per test: other tests share the test Redis (and their queues would mix).
let prefix = '';

let discord: FakeDiscord;
let mistral: FakeMistral;
const running: ParleyProcess[] = [];

beforeAll(async () => {
  discord = await startFakeDiscord();
  mistral = await startFakeMistral({
    apiKey: 'dretry-key',
    agents: [
      { id: MAIN, name: 'Main' },
      { id: ANALYST, name: 'Analyst' },
    ],
  });
});
beforeEach(() => {
  prefix = `t${randomUUID().slice(0, 8)}`;
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((parley) => parley.kill()));
  mistral.reset();
});
afterAll(async () => {
  await discord.close();
  await mistral.close();
});

async function parley(role: string): Promise<ParleyProcess> {
  const env = discordQueueEnv({
    discord,
    guildId: DEFAULT_IDS.guild,
    mistral,
    agentId: MAIN,
    redisUrl: redisUrl(),
    prefix,
  });
  const started = await startParleyProcess(env, ['--role', role]);
  running.push(started);
  return started;
}

/**
 * Mentions the bot through a process answering it where admitted (`all`); once `shown` holds
 * for the thread, starts a worker and kills that process, as a crash would. The thread's id.
 */
async function askThenCrash(content: string, shown: (thread: string) => boolean) {
  const doomed = await parley('all');
  await discord.connected();
  const question = discord.sendMessage({
    channelId: DEFAULT_IDS.general,
    authorId: DEFAULT_IDS.alice,
    content,
    mentionsBot: true,
  });
  await discord.waitFor(() => shown(question.id), WAIT_MS);
  await parley('worker');
  await doomed.kill();
  return question.id;
}

/** Messages with text the bot posted as itself in a thread. */
function ownMessages(thread: string) {
  return discord
    .messages(thread)
    .filter((message) => message.author.id === discord.botUserId && message.persona === null)
    .filter((message) => message.content !== '');
}

describe('a Discord reply retried on another process', () => {
  it("shows the first agent's part and the handed-over part once each, finished by the retry", {
    timeout: 90_000,
  }, async () => {
    const stuck = gate();
    const handoff = { toAgentId: ANALYST, toAgentName: 'Analyst' };
    mistral.enqueue(
      {
        kind: 'script',
        steps: [
          { text: 'Over to the analyst.' },
          { handoff },
          { text: 'Analyst: let me look.' },
          { tool: 'web_search', arguments: '{"query":"q"}', until: stuck.until },
        ],
      },
      {
        kind: 'script',
        steps: [
          { text: 'Over to the analyst.' },
          { handoff },
          { text: 'Analyst: let me look. Found it.' },
        ],
      },
    );
    const persona = (thread: string) =>
      discord.messages(thread).filter((message) => message.persona !== null);
    const thread = await askThenCrash('who can analyse this?', (id) =>
      persona(id).some((message) => message.content.includes('let me look')),
    );
    await discord.waitFor(
      () => persona(thread).some((message) => message.content.includes('Found it')),
      WAIT_MS,
    );

    expect(ownMessages(thread).map((message) => message.content)).toEqual([
      'Over to the analyst.\n\n_↪ handed over to Analyst_',
    ]);
    expect(persona(thread).map((message) => [message.persona?.username, message.content])).toEqual([
      ['Analyst', 'Analyst: let me look. Found it.'],
    ]);
    expect(mistral.completions.map((call) => call.agentId)).toEqual([MAIN, MAIN]);
    stuck.open();
  });

  it('edits both messages of a long answer an earlier attempt posted, and posts no third', {
    timeout: 90_000,
  }, async () => {
    const stuck = gate();
    // Past Discord's 2,000 characters: the answer continues in a second message.
    const long = `${'All of this is the first half of a long answer. '.repeat(50)}`;
    mistral.enqueue(
      {
        kind: 'script',
        steps: [
          { text: long },
          { tool: 'web_search', arguments: '{"query":"q"}', until: stuck.until },
        ],
      },
      { kind: 'script', steps: [{ text: `${long}And the end, found.` }] },
    );
    const thread = await askThenCrash('tell me everything', (id) => ownMessages(id).length === 2);
    await discord.waitFor(
      () => ownMessages(thread).some((message) => message.content.includes('found')),
      WAIT_MS,
    );

    const texts = ownMessages(thread).map((message) => message.content);
    expect(texts).toHaveLength(2);
    expect(texts.join('').replace(/\s+/g, ' ')).toContain('And the end, found.');
    expect(texts.join('')).not.toContain('Searching the web');
    expect(mistral.completions).toHaveLength(2);
    stuck.open();
  });
});
