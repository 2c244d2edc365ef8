import { describe, expect, it } from 'vitest';
import { gate } from '../support/gate.js';
import {
  answered,
  botMessages,
  type FeatureRig,
  mention,
  messageWrites,
  mistralBytes,
  onlyAnswer,
  png,
  useFeatureRigs,
  writtenTexts,
} from './discord-features-rig.js';

/**
 * Issue #11 end to end on Discord: the real discord.js and Mistral SDK against the fake Discord
 * and the fake Mistral's Conversations API, the history in the test Redis.
 */
let rig: FeatureRig;
const openRig = useFeatureRigs();
const start = async () => {
  rig = await openRig();
};

const SEARCHING = '_Searching the web…_';

describe('agent features in a Discord thread', () => {
  it('shows the web search as a status line, then the answer with numbered sources that do not unfurl', async () => {
    await start();
    const searching = gate();
    rig.mistral.enqueue({
      kind: 'script',
      steps: [
        { tool: 'web_search', arguments: '{"query": "Paris weather"}', until: searching.until },
        { text: 'Sunny in Paris today' },
        { reference: { title: 'Météo Paris', url: 'https://meteo.example/paris' } },
        { text: ', 24 °C.' },
        { reference: { title: 'Météo Paris again', url: 'https://meteo.example/paris' } },
        { reference: { title: 'Paris', url: 'https://en.wikipedia.org/wiki/Paris_(city)' } },
      ],
    });

    const question = mention(rig, 'weather in Paris?');
    const status = await rig.discord.waitFor(() =>
      botMessages(rig, question.id).find((message) => message.content === SEARCHING),
    );
    searching.open();
    await answered(rig, question.id, question.id);

    const answer = onlyAnswer(rig, question.id);
    expect(answer.id).toBe(status.id);
    expect(answer.content).toBe(
      [
        'Sunny in Paris today, 24 °C.',
        '',
        '**Sources**',
        '1. [Météo Paris](<https://meteo.example/paris>)',
        '2. [Paris](<https://en.wikipedia.org/wiki/Paris_%28city%29>)',
      ].join('\n'),
    );
    expect(answer.edits.map((edit) => edit.content).at(-1)).toBe(answer.content);
    const writes = messageWrites(rig);
    expect(writes.length).toBeGreaterThan(1);
    for (const { body } of writes) expect(body).toMatchObject({ allowed_mentions: { parse: [] } });
  });

  it('posts a generated image and a plot as files in the thread, never the model placeholder', async () => {
    await start();
    rig.mistral.enqueue({
      kind: 'script',
      steps: [
        { tool: 'image_generation', arguments: '{"prompt": "a cat"}' },
        { file: { name: 'cat.png', type: 'png', tool: 'image_generation', bytes: png(4, 3) } },
        { text: 'Here is your cat: ![Image](__emitted_0.png)\n\n' },
        { tool: 'code_interpreter', arguments: '{"code": "plot()"}', info: { code_output: '' } },
        { file: { name: 'plot.png', type: 'png', bytes: png(6, 4, 200) } },
        { text: 'And the plot ![Plot](__emitted_1.png).' },
      ],
    });

    const question = mention(rig, 'draw a cat, then plot it');
    await answered(rig, question.id, question.id);

    const files = rig.discord.attachments(question.id);
    expect(files.map((file) => [file.filename, file.postedBy])).toEqual([
      ['cat.png', { kind: 'bot' }],
      ['code-run-1.md', { kind: 'bot' }],
      ['plot.png', { kind: 'bot' }],
    ]);
    const [cat, , plot] = files;
    expect(cat).toMatchObject({ contentType: 'image/png', width: 4, height: 3 });
    expect(cat?.data).toEqual(mistralBytes(rig, 'cat.png'));
    expect(plot).toMatchObject({ contentType: 'image/png', width: 6, height: 4 });
    expect(plot?.data).toEqual(mistralBytes(rig, 'plot.png'));
    const uploads = rig.discord.restCalls.flatMap((call) => call.files ?? []);
    expect(uploads.map((file) => [file.field, file.filename])).toEqual([
      ['files[0]', 'cat.png'],
      ['files[0]', 'code-run-1.md'],
      ['files[0]', 'plot.png'],
    ]);
    // The thread reads in the order the agent wrote: words after a file go below it.
    expect(
      botMessages(rig, question.id).map(
        (message) => message.content || message.attachments.map((file) => file.filename).join(','),
      ),
    ).toEqual(['cat.png', 'Here is your cat: ', 'code-run-1.md', 'plot.png', 'And the plot .']);
    for (const text of writtenTexts(rig)) expect(text).not.toMatch(/__emitted_|!\[/);
    for (const { body } of messageWrites(rig))
      expect(body).toMatchObject({ allowed_mentions: { parse: [] } });
  });

  it('takes an image with no words for an answer: the status line says done, no failure', async () => {
    await start();
    const drawing = gate();
    rig.mistral.enqueue({
      kind: 'script',
      steps: [
        { tool: 'image_generation', arguments: '{"prompt": "a cat"}', until: drawing.until },
        { file: { name: 'cat.png', type: 'png', tool: 'image_generation', bytes: png(4, 3) } },
        { text: '![Image](__emitted_0.png)' },
      ],
    });

    const question = mention(rig, 'draw a cat');
    await rig.discord.waitFor(() =>
      botMessages(rig, question.id).find((m) => m.content === '_Drawing an image…_'),
    );
    drawing.open();
    const history = await answered(rig, question.id, question.id);

    expect(botMessages(rig, question.id).map((m) => [m.content, m.attachments.length])).toEqual([
      ['_Drawing an image… done_', 0],
      ['', 1],
    ]);
    expect(rig.discord.attachments(question.id)[0]?.data).toEqual(mistralBytes(rig, 'cat.png'));
    expect(history.at(-1)).toMatchObject({
      role: 'assistant',
      text: '',
      attachments: [{ name: 'cat.png', ref: '' }],
    });
  });

  it('splits an answer that fits 2,000 characters until its links are wrapped', async () => {
    await start();
    const references = [1, 2, 3].map((n) => ({
      title: `Source ${n}`,
      url: `https://news.example/article-${n}`,
    }));
    const block = `\n\n**Sources**\n${references.map((r, i) => `${i + 1}. [${r.title}](${r.url})`).join('\n')}`;
    const text = 'word '
      .repeat(400)
      .slice(0, 2_000 - block.length)
      .trimEnd();
    rig.mistral.enqueue({
      kind: 'script',
      steps: [{ text, chunkSize: 500 }, ...references.map((reference) => ({ reference }))],
    });

    const question = mention(rig, 'the news?');
    await answered(rig, question.id, question.id);

    const parts = botMessages(rig, question.id).map((m) => m.content);
    expect((text + block).length).toBeLessThanOrEqual(2_000);
    expect(parts.length).toBe(2);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(2_000);
    expect(parts.join('\n\n')).toBe(`${text}${block}`.replace(/\]\((https:[^)]+)\)/g, '](<$1>)'));
    expect(rig.discord.restCalls.filter((call) => call.status >= 400)).toEqual([]);
  });

  it('attaches a code interpreter run as code-run-1.md with the code and its output', async () => {
    await start();
    const code = 'total = sum(range(10))\nprint(total)';
    rig.mistral.enqueue({
      kind: 'script',
      steps: [
        {
          tool: 'code_interpreter',
          arguments: JSON.stringify({ code }),
          info: { code_output: '45\n' },
        },
        { text: 'The sum is 45.' },
      ],
    });

    const question = mention(rig, 'sum 0..9 in Python');
    await answered(rig, question.id, question.id);

    const [run, ...others] = rig.discord.attachments(question.id);
    expect(others).toEqual([]);
    expect(run).toMatchObject({ filename: 'code-run-1.md', postedBy: { kind: 'bot' } });
    expect(run?.data.toString('utf8')).toBe(
      `\`\`\`python\n${code}\n\`\`\`\n\nOutput:\n\`\`\`\n45\n\`\`\`\n`,
    );
    expect(onlyAnswer(rig, question.id).content).toBe('The sum is 45.');
  });

  it('answers a function call "not available", and the reply goes on with one line naming the tool', async () => {
    await start();
    rig.mistral.enqueue(
      {
        kind: 'script',
        steps: [{ functionCall: { name: 'get_weather', arguments: '{"city": "Paris"}' } }],
      },
      { kind: 'script', steps: [{ text: 'I cannot look that up here, but June is mild.' }] },
    );

    const question = mention(rig, 'weather in Paris in June?');
    await answered(rig, question.id, question.id);

    const second = rig.mistral.completions[1]?.inputs as Record<string, unknown>[];
    const call = second.find((entry) => entry.type === 'function.call');
    const result = second.find((entry) => entry.type === 'function.result');
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city": "Paris"}' });
    expect(result).toMatchObject({ tool_call_id: call?.tool_call_id });
    expect(String(result?.result)).toContain('not available in this chat');
    expect(rig.mistral.completions).toHaveLength(2);
    const answer = onlyAnswer(rig, question.id).content;
    expect(answer).toBe(
      '_(The agent asked for the tool “get_weather”, which this chat does not offer.)_\n\nI cannot look that up here, but June is mild.',
    );
  });
});
