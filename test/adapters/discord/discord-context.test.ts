import { REST } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONTEXT_MAX_LINES,
  createDiscordReplyPort,
  discordTarget,
} from '../../../adapters/discord/discord-port.js';
import { silentLogger } from '../../../src/log/logger.js';
import { DEFAULT_IDS, type FakeDiscord, startFakeDiscord } from '../../fakes/discord/index.js';

const GUILD = DEFAULT_IDS.guild;
const GENERAL = DEFAULT_IDS.general;
const ALICE = DEFAULT_IDS.alice;
const THREAD = '1100000000000000600';

describe('Discord thread context', () => {
  let discord: FakeDiscord;

  beforeEach(async () => {
    discord = await startFakeDiscord({
      guilds: [
        {
          id: GUILD,
          name: 'Parley Test',
          channels: [
            { id: GENERAL, name: 'general' },
            { id: THREAD, name: 'planning', type: 11, parentId: GENERAL },
          ],
          members: [{ id: ALICE, username: 'alice', globalName: 'Alice' }],
        },
      ],
    });
  });
  afterEach(() => discord.close());

  function readContext() {
    const rest = new REST({ version: '10', api: discord.restUrl }).setToken(discord.token);
    return createDiscordReplyPort(rest, silentLogger).context(discordTarget(THREAD));
  }

  it('reads the newest messages of a long thread, oldest first, paging back', async () => {
    for (let index = 1; index <= 250; index += 1)
      discord.sendMessage({ channelId: THREAD, authorId: ALICE, content: `message ${index}` });

    const lines = await readContext();

    expect(lines.map((line) => line.text)).toEqual(
      Array.from(
        { length: CONTEXT_MAX_LINES },
        (_, index) => `message ${251 - CONTEXT_MAX_LINES + index}`,
      ),
    );
  });

  it('reads a short thread whole', async () => {
    for (const content of ['one', 'two', 'three'])
      discord.sendMessage({ channelId: THREAD, authorId: ALICE, content });

    const lines = await readContext();

    expect(lines.map((line) => `${line.author.name}: ${line.text}`)).toEqual([
      'Alice: one',
      'Alice: two',
      'Alice: three',
    ]);
  });
});
