import { describe, expect, it } from 'vitest';
import { createDocumentCache, type DocumentFiles } from '../../src/agent/mistral-documents.js';
import type { FileBytes } from '../../src/core/model.js';

const SIGNAL = new AbortController().signal;

function pdf(text: string): FileBytes {
  return {
    name: `${text}.pdf`,
    mimeType: 'application/pdf',
    bytes: new TextEncoder().encode(text),
  };
}

/** A files API that counts what it is asked: uploads, signatures, deletions. */
function filesApi(options: { failRemove?: boolean } = {}) {
  const uploads: string[] = [];
  const removed: string[] = [];
  let signatures = 0;
  const api: DocumentFiles = {
    upload: async (file) => {
      uploads.push(file.name);
      return `file-${uploads.length}`;
    },
    sign: async (fileId) => {
      signatures += 1;
      return `https://files.example/${fileId}/${signatures}`;
    },
    remove: async (fileId) => {
      if (options.failRemove === true) throw new Error('files API down');
      removed.push(fileId);
    },
  };
  return { api, uploads, removed, signatures: () => signatures };
}

describe('the document cache', () => {
  it('uploads a document once and reuses its signed URL while it lives', async () => {
    let now = 0;
    const files = filesApi();
    const cache = createDocumentCache(files.api, { now: () => now });
    const report = pdf('report');

    const first = await cache.urlOf(report, SIGNAL);
    now += 30 * 60 * 1000;
    const again = await cache.urlOf(pdf('report'), SIGNAL);
    now += 30 * 60 * 1000;
    const resigned = await cache.urlOf(report, SIGNAL);

    expect(again).toBe(first);
    expect(resigned).not.toBe(first);
    expect(files.uploads).toEqual(['report.pdf']);
    expect(files.signatures()).toBe(2);
    await cache.close();
  });

  it('deletes a document unused for an hour, and uploads it again if the thread comes back', async () => {
    let now = 0;
    const files = filesApi();
    const cache = createDocumentCache(files.api, { now: () => now });
    await cache.urlOf(pdf('old'), SIGNAL);
    now += 50 * 60 * 1000;
    await cache.urlOf(pdf('recent'), SIGNAL);
    now += 20 * 60 * 1000;

    await cache.sweep();
    expect(files.removed).toEqual(['file-1']);

    await cache.urlOf(pdf('old'), SIGNAL);
    expect(files.uploads).toEqual(['old.pdf', 'recent.pdf', 'old.pdf']);
    await cache.close();
    expect(files.removed.sort()).toEqual(['file-1', 'file-2', 'file-3']);
  });

  it('deletes everything it uploaded when closed, once each', async () => {
    const files = filesApi();
    const cache = createDocumentCache(files.api);
    await Promise.all([cache.urlOf(pdf('a'), SIGNAL), cache.urlOf(pdf('a'), SIGNAL)]);
    await cache.urlOf(pdf('b'), SIGNAL);

    await cache.close();
    await cache.close();

    expect(files.uploads).toEqual(['a.pdf', 'b.pdf']);
    expect(files.removed.sort()).toEqual(['file-1', 'file-2']);
  });

  it('holds 500 documents at most: the oldest is deleted at the next sweep, not at once', async () => {
    const files = filesApi();
    const cache = createDocumentCache(files.api, { now: () => 0 });
    for (let index = 0; index <= 500; index += 1) await cache.urlOf(pdf(`doc-${index}`), SIGNAL);

    expect(files.removed).toEqual([]);
    await cache.sweep();
    expect(files.removed).toEqual(['file-1']);
    await cache.close();
    expect(files.removed).toHaveLength(501);
  });

  it('tells a failed delete and goes on; a failed upload is tried again next time', async () => {
    const failures: unknown[] = [];
    const files = filesApi({ failRemove: true });
    let uploads = 0;
    const cache = createDocumentCache(
      {
        ...files.api,
        upload: async (file) => {
          uploads += 1;
          if (uploads === 1) throw new Error('upload refused');
          return files.api.upload(file, SIGNAL);
        },
      },
      { onRemoveFailed: (error) => failures.push(error) },
    );
    await expect(cache.urlOf(pdf('x'), SIGNAL)).rejects.toThrow('upload refused');
    await cache.urlOf(pdf('x'), SIGNAL);

    await expect(cache.close()).resolves.toBeUndefined();
    expect(uploads).toBe(2);
    expect(failures).toHaveLength(1);
  });
});
