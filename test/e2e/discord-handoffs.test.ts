import { describe, expect, it } from 'vitest';
import {
  ALICE,
  ANALYST_AVATAR,
  answered,
  botMessages,
  type FeatureRig,
  mention,
  messageWrites,
  mistralBytes,
  onlyAnswer,
  personaMessages,
  png,
  rawHistory,
  useFeatureRigs,
} from './discord-features-rig.js';

/**
 * Handoffs between agents on Discord (issue #11): the real discord.js and Mistral SDK against the
 * fakes, the history in the test Redis, the roster from an `AGENTS` JSON file.
 */
let rig: FeatureRig;
const openRig = useFeatureRigs();
const start = async () => {
  rig = await openRig();
};

/** The main agent hands over to the analyst, who says `said` and shows one image. */
function handOverToAnalyst(said: string, name: string, bytes: Uint8Array): void {
  rig.mistral.enqueue({
    kind: 'script',
    steps: [
      { text: 'Let me get the analyst on this.' },
      { handoff: { toAgentId: rig.otherAgent, toAgentName: 'analyst-agent' } },
      { text: said },
      { file: { name, type: 'png', bytes } },
    ],
  });
}

describe('a handoff in a Discord conversation', () => {
  it('hands off to a second agent: its part under the roster persona, the history says who said what', async () => {
    await start();
    handOverToAnalyst('Analyst here: revenue grew 12%.', 'growth.png', png(5, 5, 90));

    const question = mention(rig, 'how did revenue do?');
    const history = await answered(rig, question.id, question.id);

    expect(onlyAnswer(rig, question.id).content).toBe(
      'Let me get the analyst on this.\n\n_↪ handed over to Analyst_',
    );
    const [part, ...more] = personaMessages(rig, question.id).filter((m) => m.content !== '');
    expect(more).toEqual([]);
    expect(part).toMatchObject({
      content: 'Analyst here: revenue grew 12%.',
      persona: { username: 'Analyst', avatarUrl: ANALYST_AVATAR },
    });
    const [file] = rig.discord.attachments(question.id);
    expect(file).toMatchObject({
      filename: 'growth.png',
      postedBy: { kind: 'webhook', username: 'Analyst' },
    });
    expect(file?.data).toEqual(mistralBytes(rig, 'growth.png'));
    for (const { body } of messageWrites(rig))
      expect(body).toMatchObject({ allowed_mentions: { parse: [] } });
    const answers = history.filter((line) => line.role === 'assistant');
    expect(answers.map((line) => [line.author.id, line.text])).toEqual([
      [rig.agent, 'Let me get the analyst on this.'],
      [rig.otherAgent, 'Analyst here: revenue grew 12%.'],
    ]);
    expect((await rawHistory(rig, question.id)).length).toBe(3);

    rig.mistral.enqueue({ kind: 'reply', text: 'Planner again.' });
    const followUp = rig.discord.sendMessage({
      channelId: question.id,
      authorId: ALICE,
      content: 'and costs?',
    });
    await answered(rig, question.id, followUp.id);

    expect(rig.mistral.completions.at(-1)?.agentId).toBe(rig.agent);
    expect(botMessages(rig, question.id).at(-1)?.content).toBe('Planner again.');
  });

  it('shows an agent the roster does not know under the name the handoff gives it', async () => {
    await start();
    rig.mistral.enqueue({
      kind: 'script',
      steps: [
        { text: 'Over to the summarizer.' },
        { handoff: { toAgentId: 'ag:discord:summarizer', toAgentName: 'Summarizer' } },
        { text: 'In short: fine.' },
      ],
    });

    const question = mention(rig, 'summarize');
    await answered(rig, question.id, question.id);

    expect(onlyAnswer(rig, question.id).content).toBe(
      'Over to the summarizer.\n\n_↪ handed over to Summarizer_',
    );
    expect(personaMessages(rig, question.id)).toMatchObject([
      { content: 'In short: fine.', persona: { username: 'Summarizer', avatarUrl: null } },
    ]);
  });

  it('hands off in a DM, where Discord has no webhooks: the bot posts the next part itself', async () => {
    await start();
    handOverToAnalyst('Analyst here: costs fell 3%.', 'costs.png', png(3, 3, 40));

    const dm = rig.discord.sendDm({ userId: ALICE, content: 'how did costs do?' });
    await answered(rig, dm.channelId, dm.id, { workspace: '@me', channel: dm.channelId });

    expect(botMessages(rig, dm.channelId).map((m) => [m.content, m.attachments.length])).toEqual([
      ['Let me get the analyst on this.\n\n_↪ handed over to Analyst_', 0],
      ['Analyst here: costs fell 3%.', 0],
      ['', 1],
    ]);
    expect(rig.discord.attachments(dm.channelId)[0]?.data).toEqual(mistralBytes(rig, 'costs.png'));
    expect(rig.discord.restCalls.filter((call) => call.status >= 400)).toEqual([]);
  });
});
