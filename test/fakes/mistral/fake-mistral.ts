import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { latestAgent } from './agents-routes.js';
import { createFileStore, type FileStore, putFile, signedFileId } from './file-store.js';
import { type FakeState, routeRequest } from './routes.js';
import type {
  CompletionRecord,
  FakeMistral,
  FakeMistralOptions,
  NewFakeFile,
  Responder,
} from './types.js';

export type {
  AgentWrite,
  Behaviour,
  BuiltInTool,
  CompletionRecord,
  FakeAgent,
  FakeFile,
  FakeMistral,
  FakeMistralOptions,
  NewFakeFile,
  RecordedMessage,
  RejectedRequest,
  Responder,
  ScriptFile,
  ScriptReference,
  ScriptStep,
} from './types.js';

/** The key a fake accepts unless told otherwise. */
export const DEFAULT_FAKE_API_KEY = 'test-mistral-key';

/** Answers `echo: <last user text>`. */
export const echoResponder: Responder = (request) => ({
  kind: 'reply',
  text: `echo: ${lastUserText(request)}`,
});

/** Starts a fake Mistral API (127.0.0.1 by default) that speaks the SDK's wire format and rules. */
export async function startFakeMistral(options: FakeMistralOptions = {}): Promise<FakeMistral> {
  const shutdown = new AbortController();
  let responder = options.responder ?? echoResponder;
  let origin = '';
  const now = options.now ?? Date.now;
  const state: FakeState = {
    apiKey: options.apiKey ?? DEFAULT_FAKE_API_KEY,
    agents: new Map((options.agents ?? []).map((agent) => [agent.id, agent])),
    createdAt: new Date().toISOString(),
    managed: { versions: new Map(), writes: [] },
    completions: [],
    rejected: [],
    queue: [],
    responder: () => responder,
    files: createFileStore(),
    now,
    origin: () => origin,
    shutdown: shutdown.signal,
  };
  const server = createServer((request, response) => {
    routeRequest(state, request, response).catch(() => response.destroy());
  });
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  origin = urlOf(address);
  return {
    url: origin,
    apiKey: state.apiKey,
    completions: state.completions,
    rejected: state.rejected,
    addAgent: (agent) => void state.agents.set(agent.id, agent),
    agentWrites: state.managed.writes,
    managedAgent: (id) => latestAgent(state.managed, id),
    files: state.files.files,
    deletedFiles: state.files.deleted,
    addFile: (file) => addFile(state.files, file, now()),
    signedFileId: (url) => signedFileId(state.files, origin, url, now()),
    enqueue: (...behaviours) => void state.queue.push(...behaviours),
    setResponder: (next) => {
      responder = next;
    },
    reset: () => {
      state.completions.length = 0;
      state.rejected.length = 0;
      state.managed.writes.length = 0;
      state.queue.length = 0;
      state.files.files.clear();
      state.files.signatures.clear();
      state.files.deleted.clear();
      responder = options.responder ?? echoResponder;
    },
    close: () => {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive and hanging sockets would otherwise hold close() open.
      server.closeAllConnections();
      return closed;
    },
  };
}

function addFile(store: FileStore, file: NewFakeFile, nowMs: number): string {
  const bytes = 'bytes' in file ? file.bytes : new TextEncoder().encode(file.text);
  const input = {
    name: file.name,
    purpose: file.purpose ?? 'ocr',
    bytes,
    source: 'upload',
  } as const;
  const withType = file.mimeType === undefined ? input : { ...input, mimeType: file.mimeType };
  return putFile(store, withType, nowMs).id;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** The text of the request's last user message (text chunks joined). */
export function lastUserText(request: CompletionRecord): string {
  const content = request.messages.findLast((message) => message.role === 'user')?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map(textOfChunk).join('');
}

function textOfChunk(chunk: unknown): string {
  if (typeof chunk !== 'object' || chunk === null || !('text' in chunk)) return '';
  return typeof chunk.text === 'string' ? chunk.text : '';
}
