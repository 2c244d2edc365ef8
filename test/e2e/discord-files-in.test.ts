import { describe, expect, it, vi } from 'vitest';
import { ATTACHMENT_LIMITS, CDN_URL_LIFETIME_MS } from '../fakes/discord/index.js';
import { gate } from '../support/gate.js';
import {
  ALICE,
  answered,
  attachmentsIn,
  botMessages,
  type FeatureRig,
  GENERAL,
  mention,
  png,
  rawHistory,
  useFeatureRigs,
} from './discord-features-rig.js';

/**
 * Files people attach on Discord reach the agent (issue #11, "Files in"): the real discord.js and
 * Mistral SDK against the fakes, the history in the test Redis.
 */
let rig: FeatureRig;
let clock = Date.now();
const openRig = useFeatureRigs();
const start = async () => {
  clock = Date.now();
  rig = await openRig({ now: () => clock });
};

const NOTES = '# Plan\n\n- ship files in\n- then **files out**\n';
const DATA = '{"revenue": [10, 12, 15]}';
// Characters of the fake Discord that must never reach the agent: its CDN and API addresses.
const PLATFORM_URL = /127\.0\.0\.1|\/attachments\/|discord/i;

type Entry = { type?: string; role?: string; content?: unknown };
type Chunk = { type: string; text?: string; image_url?: unknown };

/** The chunks of the newest user input of the agent's latest request. */
function lastUserChunks(): Chunk[] {
  const inputs = rig.mistral.completions.at(-1)?.inputs as Entry[];
  const last = inputs.findLast((entry) => entry.role === 'user');
  return Array.isArray(last?.content) ? (last.content as Chunk[]) : [];
}

function imageUrlOf(chunk: Chunk | undefined): string {
  const url = chunk?.image_url;
  if (typeof url === 'string') return url;
  return typeof url === 'object' && url !== null ? String((url as { url?: unknown }).url) : '';
}

describe('files a person attaches in Discord', () => {
  it('gives the agent an image as an image chunk and text files inline, read from fresh signed URLs', async () => {
    await start();
    const image = png(3, 2, 7);
    rig.mistral.enqueue({ kind: 'reply', text: 'A chart, a plan and the numbers.' });

    const question = mention(rig, 'what do these say?', [
      { name: 'chart.png', contentType: 'image/png', data: image },
      { name: 'notes.md', data: NOTES },
      { name: 'data.json', contentType: 'application/json', data: DATA },
    ]);
    const history = await answered(rig, question.id, question.id);

    const chunks = lastUserChunks();
    expect(chunks.map((chunk) => chunk.type)).toEqual(['text', 'image_url', 'text', 'text']);
    expect(chunks[0]?.text).toContain('what do these say?');
    const url = imageUrlOf(chunks[1]);
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).toEqual(image);
    expect(chunks[2]?.text).toBe(`[file: notes.md]\n\`\`\`\n${NOTES}\n\`\`\``);
    expect(chunks[3]?.text).toBe(`[file: data.json]\n\`\`\`\n${DATA}\n\`\`\``);
    expect(JSON.stringify(rig.mistral.completions.at(-1)?.inputs)).not.toMatch(PLATFORM_URL);
    expect(rig.discord.cdnStats).toEqual({ served: 3, refused: 0 });
    const files = rig.discord.attachments(GENERAL).filter((file) => file.messageId === question.id);
    const refs = files.map((file) => `${GENERAL}/${question.id}/${file.id}`);
    expect(refs).toHaveLength(3);
    expect(attachmentsIn(history, question.id).map((file) => file.ref)).toEqual(refs);
    const stored = (await rawHistory(rig, question.id)).join('\n');
    expect(stored).not.toMatch(/https?:|base64|ship files in/);
    for (const ref of refs) expect(stored).toContain(ref);
  });

  it('reads files posted later in the thread from fresh URLs, though the ones the gateway gave have expired', async () => {
    await start();
    const held = gate();
    rig.mistral.enqueue({ kind: 'gate', until: held.until, next: { kind: 'reply', text: 'ok' } });
    const question = mention(rig, 'first');
    await vi.waitFor(() => expect(rig.mistral.completions).toHaveLength(1));

    const image = png(2, 5, 120);
    const later = rig.discord.sendMessage({
      channelId: question.id,
      authorId: ALICE,
      content: 'and these?',
      attachments: [
        { name: 'receipt.png', contentType: 'image/png', data: image },
        { name: 'todo.json', data: '["buy milk"]' },
      ],
    });
    // The URLs the gateway signed expire while the message waits for the first answer's turn.
    clock += CDN_URL_LIFETIME_MS + 60_000;
    held.open();
    await answered(rig, question.id, later.id);

    const chunks = lastUserChunks().slice(-2);
    const url = imageUrlOf(chunks[0]);
    expect(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).toEqual(image);
    expect(chunks[1]?.text).toBe('[file: todo.json]\n```\n["buy milk"]\n```');
    expect(JSON.stringify(rig.mistral.completions.at(-1)?.inputs)).not.toMatch(PLATFORM_URL);
    expect(rig.discord.cdnStats).toEqual({ served: 2, refused: 0 });
  });

  it('names an unsupported file, a text over 100 kB and an image over 10 MB only, and tells the person in one line', async () => {
    await start();
    rig.mistral.enqueue(
      { kind: 'reply', text: 'Hello.' },
      { kind: 'reply', text: 'I only see their names.' },
    );
    const question = mention(rig, 'hello');
    await answered(rig, question.id, question.id);

    const later = rig.discord.sendMessage({
      channelId: question.id,
      authorId: ALICE,
      content: 'see attached',
      attachments: [
        { name: 'report.zip', data: Buffer.from('PK\u0003\u0004 zipped') },
        { name: 'big.txt', data: 'x'.repeat(150 * 1024) },
        { name: 'scan.png', data: Buffer.alloc(ATTACHMENT_LIMITS.fileBytes + 1) },
      ],
      hasNitro: true,
    });
    const history = await answered(rig, question.id, later.id);

    expect(botMessages(rig, question.id).at(-1)?.content).toBe(
      '_The agent only gets the name of: report.zip (not an image, PDF or text file), big.txt (too large), scan.png (too large)._\n\nI only see their names.',
    );
    const inputs = JSON.stringify(rig.mistral.completions.at(-1)?.inputs);
    expect(inputs).toContain('[attachment: report.zip]');
    expect(inputs).toContain('[attachment: big.txt]');
    expect(inputs).toContain('[attachment: scan.png]');
    expect(inputs).not.toContain('image_url');
    expect(inputs).not.toContain('xxxxxxxx');
    expect(inputs).not.toMatch(PLATFORM_URL);
    expect(rig.discord.cdnStats).toEqual({ served: 0, refused: 0 });
    expect(attachmentsIn(history, later.id).map((file) => file.name)).toEqual([
      'report.zip',
      'big.txt',
      'scan.png',
    ]);
  });
});
