import type { InputEntries } from '@mistralai/mistralai/models/components';
import type { FileBytes } from '../core/model.js';
import type { PreparedFile } from './agent-client.js';
import type { ChatMessage } from './shape-messages.js';

/** Hands a document to Mistral (files API) and returns a URL the agent may read it from. */
export type DocumentUploader = (file: FileBytes) => Promise<string>;

type InputChunk = Exclude<Extract<InputEntries, { role: string }>['content'], string>[number];

/**
 * The shaped history as Conversations API inputs: one `message.input` entry per message, with
 * the files of a user line as chunks after its text (images as data URLs, documents by URL,
 * text files inlined under their name).
 */
export async function conversationInputs(
  messages: readonly ChatMessage[],
  uploadDocument: DocumentUploader,
): Promise<InputEntries[]> {
  const entries: InputEntries[] = [];
  for (const message of messages) {
    const files = message.files ?? [];
    if (files.length === 0) {
      entries.push({ type: 'message.input', role: message.role, content: message.content });
      continue;
    }
    const chunks: InputChunk[] = [];
    if (message.content !== '') chunks.push({ type: 'text', text: message.content });
    for (const file of files) {
      const chunk = await chunkOf(file, uploadDocument);
      if (chunk !== undefined) chunks.push(chunk);
    }
    entries.push({ type: 'message.input', role: message.role, content: chunks });
  }
  return entries;
}

async function chunkOf(
  file: PreparedFile,
  uploadDocument: DocumentUploader,
): Promise<InputChunk | undefined> {
  switch (file.kind) {
    case 'image':
      return { type: 'image_url', imageUrl: dataUrl(file.file) };
    case 'text':
      return { type: 'text', text: inlinedFile(file.name, file.text) };
    case 'document':
      return {
        type: 'document_url',
        documentUrl: await uploadDocument(file.file),
        documentName: file.file.name,
      };
    case 'named':
      return undefined;
  }
}

function dataUrl(file: FileBytes): string {
  return `data:${file.mimeType};base64,${Buffer.from(file.bytes).toString('base64')}`;
}

// A fence longer than any run of backticks in the file, so its text cannot close it.
function inlinedFile(name: string, text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  return `[file: ${name.replace(/[\r\n\]]/g, ' ')}]\n${fence}\n${text}\n${fence}`;
}
