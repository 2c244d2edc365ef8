/**
 * Runs the fake Mistral API by hand (`npm run fake:mistral`) so Parley can be tried without a key.
 * Listens on 127.0.0.1:$FAKE_MISTRAL_PORT (default 8787) until SIGINT or SIGTERM.
 */
import { startFakeMistral } from './fake-mistral.js';
import type { Responder } from './types.js';

const DEFAULT_PORT = 8787;
const API_KEY = 'fake-key';
const AGENT = { id: 'ag:parley:demo', name: 'Parley Demo' } as const;
// Small pieces a little apart, so streaming is visible in a chat window.
const CHUNK_SIZE = 4;
const CHUNK_DELAY_MS = 30;

const friendlyEcho: Responder = (request) => {
  const last = request.messages.findLast((message) => message.role === 'user')?.content;
  const heard = typeof last === 'string' ? last : 'your message';
  return {
    kind: 'reply',
    text: `Hello from the fake Mistral agent! You said: "${heard}"`,
    chunkSize: CHUNK_SIZE,
    chunkDelayMs: CHUNK_DELAY_MS,
  };
};

function portFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`FAKE_MISTRAL_PORT must be a port number (0-65535), got "${raw}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const fake = await startFakeMistral({
    apiKey: API_KEY,
    agents: [AGENT],
    port: portFromEnv(process.env.FAKE_MISTRAL_PORT),
    responder: friendlyEcho,
  });
  process.stdout.write(
    `fake Mistral listening on ${fake.url} — use MISTRAL_SERVER_URL=${fake.url} MISTRAL_API_KEY=${API_KEY} MISTRAL_AGENT_ID=${AGENT.id}\n`,
  );
  const stop = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `fake Mistral failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
});
