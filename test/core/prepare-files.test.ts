import { describe, expect, it } from 'vitest';
import type { Attachment, FileBytes } from '../../src/core/model.js';
import { createFilePreparer, FILE_LIMITS } from '../../src/core/prepare-files.js';
import { silentLogger } from '../../src/log/logger.js';
import { userMessage } from '../support/messages.js';

function readerOf(files: Record<string, string | Uint8Array>) {
  const reads: string[] = [];
  const reader = async (attachment: Attachment): Promise<FileBytes> => {
    reads.push(attachment.ref);
    const content = files[attachment.ref];
    if (content === undefined) throw new Error('gone');
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    return {
      name: attachment.name,
      mimeType: attachment.mimeType ?? 'application/octet-stream',
      bytes,
    };
  };
  return { reader, reads };
}

describe('files people attach', () => {
  it('sends images, PDFs and text files, names the rest, and tells the person in one line', async () => {
    const message = userMessage('look', {
      attachments: [
        { name: 'cat.png', ref: 'F1', mimeType: 'image/png', size: 3 },
        { name: 'notes.md', ref: 'F2', size: 5 },
        { name: 'paper.pdf', ref: 'F3', mimeType: 'application/pdf', size: 4 },
        { name: 'archive.zip', ref: 'F4', mimeType: 'application/zip', size: 4 },
        { name: 'huge.png', ref: 'F5', mimeType: 'image/png', size: FILE_LIMITS.maxBytes + 1 },
      ],
    });
    const { reader, reads } = readerOf({
      F1: new Uint8Array([1, 2, 3]),
      F2: '# hi\n',
      F3: '%PDF',
      F4: 'zip!',
      F5: 'big',
    });

    const prepared = await createFilePreparer(silentLogger).prepare([message], message.id, reader);

    expect(prepared.files.get(message.id)).toEqual([
      {
        kind: 'image',
        file: { name: 'cat.png', mimeType: 'image/png', bytes: new Uint8Array([1, 2, 3]) },
      },
      { kind: 'text', name: 'notes.md', text: '# hi\n' },
      {
        kind: 'document',
        file: {
          name: 'paper.pdf',
          mimeType: 'application/pdf',
          bytes: new TextEncoder().encode('%PDF'),
        },
      },
      { kind: 'named', name: 'archive.zip' },
      { kind: 'named', name: 'huge.png' },
    ]);
    // Nothing is downloaded that cannot be sent.
    expect(reads).toEqual(['F1', 'F2', 'F3']);
    expect(prepared.notice).toBe(
      'The agent only gets the name of: archive.zip (not an image, PDF or text file), huge.png (too large).',
    );
  });

  it('shows at most four images a message and reads a file once across turns', async () => {
    const images = Array.from({ length: 5 }, (_, index) => ({
      name: `p${index}.jpg`,
      ref: `F${index}`,
      mimeType: 'image/jpeg',
    }));
    const message = userMessage('five', { attachments: images });
    const { reader, reads } = readerOf(
      Object.fromEntries(images.map((image) => [image.ref, new Uint8Array([9])])),
    );
    const preparer = createFilePreparer(silentLogger);

    const first = await preparer.prepare([message], message.id, reader);
    await preparer.prepare([message], 'a later message', reader);

    expect(first.files.get(message.id)?.map((file) => file.kind)).toEqual([
      'image',
      'image',
      'image',
      'image',
      'named',
    ]);
    expect(first.notice).toContain('p4.jpg (more than 4 images)');
    expect(reads).toEqual(['F0', 'F1', 'F2', 'F3']);
  });

  it('names a text file that is not text, or too long, and one it cannot read', async () => {
    const message = userMessage('', {
      attachments: [
        { name: 'data.csv', ref: 'F1' },
        { name: 'long.txt', ref: 'F2' },
        { name: 'gone.txt', ref: 'F3' },
      ],
    });
    const { reader } = readerOf({
      F1: new Uint8Array([0xff, 0xfe, 0x00]),
      F2: 'x'.repeat(FILE_LIMITS.maxTextBytes + 1),
    });

    const prepared = await createFilePreparer(silentLogger).prepare([message], message.id, reader);

    expect(prepared.files.get(message.id)?.map((file) => file.kind)).toEqual([
      'named',
      'named',
      'named',
    ]);
    expect(prepared.notice).toContain('long.txt (too large)');
    expect(prepared.notice).toContain('gone.txt (could not be read)');
  });

  it('sends the newest files of a long thread and names the older ones', async () => {
    const messages = Array.from({ length: 10 }, (_, index) =>
      userMessage(`file ${index}`, {
        attachments: [{ name: `n${index}.txt`, ref: `F${index}` }],
      }),
    );
    const { reader } = readerOf(
      Object.fromEntries(messages.map((_, index) => [`F${index}`, `note ${index}`])),
    );

    const prepared = await createFilePreparer(silentLogger).prepare(
      messages,
      messages.at(-1)?.id ?? '',
      reader,
    );

    const kinds = messages.map((message) => prepared.files.get(message.id)?.[0]?.kind);
    expect(kinds).toEqual([
      'named',
      'named',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
    ]);
    expect(prepared.notice).toBeUndefined();
  });

  it('inlines file text up to the request budget, newest first, and says which were left out', async () => {
    // Two fit in the budget, a third does not.
    const size = 90_000;
    const text = (index: number) => `${index}`.repeat(size);
    const older = userMessage('three exports', {
      attachments: [0, 1, 2].map((index) => ({ name: `old${index}.csv`, ref: `O${index}` })),
    });
    const newest = userMessage('and these', {
      attachments: [0, 1].map((index) => ({ name: `new${index}.csv`, ref: `N${index}` })),
    });
    const { reader } = readerOf({
      O0: text(0),
      O1: text(1),
      O2: text(2),
      N0: text(3),
      N1: text(4),
    });

    const prepared = await createFilePreparer(silentLogger).prepare(
      [older, newest],
      newest.id,
      reader,
    );

    const kinds = (id: string) => prepared.files.get(id)?.map((file) => file.kind);
    expect(kinds(newest.id)).toEqual(['text', 'text']);
    expect(kinds(older.id)).toEqual(['named', 'named', 'named']);
    const inlined = [...prepared.files.values()]
      .flat()
      .reduce((sum, file) => sum + (file.kind === 'text' ? file.text.length : 0), 0);
    expect(inlined).toBeLessThanOrEqual(FILE_LIMITS.maxTextCharsPerRequest);
    expect(prepared.notice).toBeUndefined();

    const crowded = userMessage('one more', {
      attachments: [0, 1, 2].map((index) => ({ name: `big${index}.txt`, ref: `O${index}` })),
    });
    const told = await createFilePreparer(silentLogger).prepare([crowded], crowded.id, reader);
    expect(told.files.get(crowded.id)?.map((file) => file.kind)).toEqual(['text', 'text', 'named']);
    expect(told.notice).toBe(
      'The agent only gets the name of: big2.txt (too much file text in this conversation at once).',
    );
  });
});
