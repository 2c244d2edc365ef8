import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { type FakeMistral, startFakeMistral } from '../../fakes/mistral/fake-mistral.js';
import { runConsoleLines } from '../../support/console-run.js';

// The console against the fake Mistral's Conversations API: what a person sees of tools,
// sources, files, handoffs and function calls, and the files they attach.

const AGENT = 'ag:console:planner';
const ANALYST = 'ag:console:analyst';
// Runs on a text-only model: Mistral refuses images sent to it.
const READER = 'ag:console:reader';
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
let fake: FakeMistral;
let dir: string;

beforeAll(async () => {
  fake = await startFakeMistral({
    agents: [
      { id: AGENT, name: 'Planner' },
      { id: ANALYST, name: 'Analyst' },
      { id: READER, name: 'Reader', model: 'open-mistral-nemo' },
    ],
  });
});
afterAll(() => fake.close());
beforeEach(async () => {
  fake.reset();
  dir = await mkdtemp(join(tmpdir(), 'parley-console-'));
  return () => rm(dir, { recursive: true, force: true });
});

async function chat(lines: string[], agentId = AGENT): Promise<string> {
  const result = loadConfig({
    MISTRAL_API_KEY: fake.apiKey,
    MISTRAL_AGENT_ID: agentId,
    MISTRAL_SERVER_URL: fake.url,
    AGENTS: `planner=${AGENT}`,
  });
  if (!result.ok) throw new Error(result.problems.join('; '));
  return runConsoleLines(result.config, lines, { filesDir: join(dir, 'out') });
}

describe('the console with agents of today', () => {
  it('shows a web search, then the answer with its sources, each once', async () => {
    fake.enqueue({
      kind: 'script',
      steps: [
        { tool: 'web_search', arguments: '{"query":"paris population"}' },
        { text: 'About 2.1 million.' },
        { reference: { title: 'INSEE', url: 'https://insee.fr/paris' } },
        { reference: { title: 'INSEE (again)', url: 'https://insee.fr/paris' } },
        { reference: { title: 'Paris — Wikipedia', url: 'https://en.wikipedia.org/wiki/Paris' } },
      ],
    });

    const output = await chat(['how many people live in Paris?']);

    expect(output).toBe(
      '[Searching the web…]\nagent> About 2.1 million.\n\n**Sources**\n' +
        '1. [INSEE](https://insee.fr/paris)\n2. [Paris — Wikipedia](https://en.wikipedia.org/wiki/Paris)\n',
    );
    expect(fake.completions[0]).toMatchObject({ endpoint: 'conversations', agentId: AGENT });
    expect(fake.completions[0]?.body).toMatchObject({ store: false, stream: true });
  });

  it('saves the image and plot the agent made, and its code run, without the placeholders', async () => {
    fake.enqueue({
      kind: 'script',
      steps: [
        {
          tool: 'code_interpreter',
          arguments: '{"code": "plot(x)"}',
          info: { code_output: 'ok\n' },
        },
        { text: 'Here it is: ![Image](__emitted_0.png)' },
        { file: { name: 'plot_0.png', type: 'png', bytes: PNG } },
        { tool: 'image_generation' },
        { file: { name: 'cat.png', type: 'png', bytes: PNG, tool: 'image_generation' } },
      ],
    });

    const output = await chat(['plot x and draw a cat']);

    expect(output).not.toContain('__emitted');
    expect(output).toContain('[Running code…]');
    expect(output).toContain('[Drawing an image…]');
    const saved = (await readdir(join(dir, 'out'))).sort();
    expect(saved.map((name) => name.replace(/^\d+-/, ''))).toEqual([
      '0-code-run-1.md',
      '1-plot_0.png',
      '2-cat.png',
    ]);
    const run = await readFile(join(dir, 'out', saved[0] ?? ''), 'utf8');
    expect(run).toContain('plot(x)');
    expect(run).toContain('ok');
    expect(new Uint8Array(await readFile(join(dir, 'out', saved[1] ?? '')))).toEqual(PNG);
  });

  it('hands over to a second agent under its name, and answers a function call', async () => {
    fake.enqueue(
      {
        kind: 'script',
        steps: [
          { text: 'Asking the analyst.' },
          { handoff: { toAgentId: ANALYST, toAgentName: 'Analyst' } },
          { text: 'Checking the weather first.' },
          { functionCall: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { kind: 'script', steps: [{ text: 'No weather tool here; plan for rain.' }] },
    );

    const output = await chat(['plan my day']);

    expect(output).toContain('agent> Asking the analyst.');
    expect(output).toContain('[handed over to Analyst]');
    expect(output).toContain('Analyst> Checking the weather first.');
    expect(output).toContain('“get_weather”, which this chat does not offer');
    expect(output).toContain('No weather tool here; plan for rain.');
    expect(output).not.toContain('[!]');
    const second = fake.completions[1]?.inputs as { type?: string; result?: string }[];
    expect(second.map((entry) => entry.type).slice(-2)).toEqual([
      'function.call',
      'function.result',
    ]);
    expect(second.at(-1)?.result).toContain('not available');
  });

  it('lets the agent see an attached image and read a text file', async () => {
    const image = join(dir, 'photo.png');
    const notes = join(dir, 'notes.csv');
    await writeFile(image, PNG);
    await writeFile(notes, 'city,people\nParis,2100000\n');
    await writeFile(join(dir, 'bundle.zip'), 'PK');
    fake.enqueue({ kind: 'script', steps: [{ text: 'I see a tiny image and one city.' }] });

    const output = await chat([
      `/attach ${image}`,
      `/attach ${notes}`,
      `/attach ${join(dir, 'bundle.zip')}`,
      'what do you see?',
    ]);

    expect(output).toContain('The agent only gets the name of: bundle.zip');
    const [entry] = (fake.completions[0]?.inputs ?? []) as { content: unknown }[];
    expect(entry?.content).toEqual([
      {
        type: 'text',
        text: 'what do you see?\n[attachment: photo.png]\n[attachment: notes.csv]\n[attachment: bundle.zip]',
      },
      {
        type: 'image_url',
        image_url: `data:image/png;base64,${Buffer.from(PNG).toString('base64')}`,
      },
      { type: 'text', text: '[file: notes.csv]\n```\ncity,people\nParis,2100000\n\n```' },
    ]);
  });

  it('names images only, and says why, to an agent whose model reads no images', async () => {
    const image = join(dir, 'photo.png');
    await writeFile(image, PNG);
    fake.enqueue({ kind: 'script', steps: [{ text: 'I read text only.' }] });

    const output = await chat([`/attach ${image}`, 'what is this?'], READER);

    expect(output).toContain('photo.png (this agent does not read images)');
    expect(output).toContain('I read text only.');
    expect(fake.rejected).toEqual([]);
    expect(JSON.stringify(fake.completions[0]?.inputs)).not.toContain('image_url');
  });

  it('hands a PDF over through the files API once, however many turns it stays in the thread, and deletes it there when Parley stops', async () => {
    const pdf = join(dir, 'report.pdf');
    await writeFile(pdf, '%PDF-1.4 a tiny report');
    fake.enqueue(
      { kind: 'script', steps: [{ text: 'A tiny report.' }] },
      { kind: 'script', steps: [{ text: 'Still tiny.' }] },
    );

    await chat([`/attach ${pdf}`, 'summarize this', 'and again?']);

    const uploads = [...fake.deletedFiles.values()].filter((file) => file.purpose === 'ocr');
    expect(uploads.map((file) => file.name)).toEqual(['report.pdf']);
    expect([...fake.files.values()].filter((file) => file.purpose === 'ocr')).toEqual([]);
    // Each turn pointed the agent at the one upload, through a URL this fake signed (no longer
    // live: the file is deleted).
    const urls = fake.completions.map((call) => {
      const chunks = (call.inputs as { content: unknown }[]).flatMap((entry) =>
        Array.isArray(entry.content)
          ? (entry.content as { type: string; document_url?: string }[])
          : [],
      );
      return chunks.find((chunk) => chunk.type === 'document_url')?.document_url;
    });
    expect(urls).toHaveLength(2);
    expect(new Set(urls).size).toBe(1);
    expect(urls[0]).toMatch(new RegExp(`^${fake.url}/signed/[0-9a-f]{32}$`));
    expect(fake.signedFileId(urls[0] ?? '')).toBeUndefined();
  });
});
