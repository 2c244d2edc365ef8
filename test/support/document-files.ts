import type { DocumentFiles, DocumentRegistry } from '../../src/agent/mistral-documents.js';
import type { FileBytes } from '../../src/core/model.js';

export function pdf(text: string): FileBytes {
  return {
    name: `${text}.pdf`,
    mimeType: 'application/pdf',
    bytes: new TextEncoder().encode(text),
  };
}

/** A files API that counts what it is asked: uploads, signatures, deletions. */
export function filesApi(options: { failRemove?: boolean } = {}) {
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

/** A document registry in memory, as Redis would keep it for every process. */
export function memoryRegistry() {
  const held = new Map<string, number>();
  const api: DocumentRegistry = {
    hold: async (fileId, overdueAt) => void held.set(fileId, overdueAt),
    forget: async (fileIds) => {
      for (const fileId of fileIds) held.delete(fileId);
    },
    takeOverdue: async (now, max) => {
      const overdue = [...held].filter(([, at]) => at <= now).slice(0, max);
      for (const [fileId] of overdue) held.delete(fileId);
      return overdue.map(([fileId]) => fileId);
    },
    close: async () => {},
  };
  return { api, held };
}
