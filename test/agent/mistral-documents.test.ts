import { describe, expect, it } from 'vitest';
import { createDocumentCache } from '../../src/agent/mistral-documents.js';
import { filesApi, memoryRegistry, pdf } from '../support/document-files.js';

const SIGNAL = new AbortController().signal;

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

  it('notes each upload in the registry, overdue well after its own deletion, and forgets it once deleted', async () => {
    let now = 0;
    const files = filesApi();
    const registry = memoryRegistry();
    const cache = createDocumentCache(files.api, { now: () => now, registry: registry.api });

    await cache.urlOf(pdf('kept'), SIGNAL);
    const noted = registry.held.get('file-1') ?? 0;
    now += 2 * 60 * 1000;
    await cache.urlOf(pdf('kept'), SIGNAL);
    const unmoved = registry.held.get('file-1');
    now += 40 * 60 * 1000;
    await cache.urlOf(pdf('kept'), SIGNAL);
    const pushed = registry.held.get('file-1') ?? 0;
    now += 61 * 60 * 1000;
    await cache.sweep();

    // Its owner deletes it an hour after its last use; the registry has it later than that.
    expect(noted).toBeGreaterThan(65 * 60 * 1000);
    expect(unmoved).toBe(noted);
    expect(pushed).toBeGreaterThan(42 * 60 * 1000 + 65 * 60 * 1000);
    expect(files.removed).toEqual(['file-1']);
    expect(registry.held.size).toBe(0);
    await cache.close();
  });

  it('deletes the overdue documents of a process that died, once, and none a living one uses', async () => {
    let now = 0;
    const files = filesApi();
    const registry = memoryRegistry();
    // The dead process uploaded one and never shut down; the living one keeps using its own.
    const dead = createDocumentCache(files.api, { now: () => now, registry: registry.api });
    const living = createDocumentCache(files.api, { now: () => now, registry: registry.api });
    await dead.urlOf(pdf('left behind'), SIGNAL);
    for (let minute = 0; minute < 120; minute += 10) {
      await living.urlOf(pdf('in use'), SIGNAL);
      now += 10 * 60 * 1000;
      await living.sweep();
    }
    await living.sweep();

    expect(files.uploads).toEqual(['left behind.pdf', 'in use.pdf']);
    expect(files.removed).toEqual(['file-1']);
    expect([...registry.held.keys()]).toEqual(['file-2']);
    await living.close();
    expect(files.removed).toEqual(['file-1', 'file-2']);
  });

  it('notes an orphan it could not delete again, for a later sweep of any process', async () => {
    let now = 0;
    const files = filesApi();
    const registry = memoryRegistry();
    const failures: unknown[] = [];
    const dead = createDocumentCache(files.api, { now: () => now, registry: registry.api });
    await dead.urlOf(pdf('orphan'), SIGNAL);
    let isDown = true;
    const sweeper = createDocumentCache(
      {
        ...files.api,
        remove: async (fileId) => {
          if (isDown) throw new Error('files API down');
          await files.api.remove(fileId);
        },
      },
      { now: () => now, registry: registry.api, onRemoveFailed: (error) => failures.push(error) },
    );
    now += 2 * 60 * 60 * 1000;

    await sweeper.sweep();
    const retryAt = registry.held.get('file-1');
    isDown = false;
    now += 10 * 60 * 1000;
    await sweeper.sweep();

    expect(failures).toHaveLength(1);
    expect(retryAt).toBeGreaterThan(2 * 60 * 60 * 1000);
    expect(files.removed).toEqual(['file-1']);
    expect(registry.held.size).toBe(0);
    await sweeper.close();
  });
});
