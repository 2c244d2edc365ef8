/**
 * Runs the fake Mistral API by hand (`npm run fake:mistral`) so Parley can be tried without a key.
 * Listens on 127.0.0.1:$FAKE_MISTRAL_PORT (default 8787) until SIGINT or SIGTERM.
 */

import { DEMO_AGENT, DEMO_ANALYST, demoAnswer } from './demo-agent.js';
import { startFakeMistral } from './fake-mistral.js';

const DEFAULT_PORT = 8787;
const API_KEY = 'fake-key';

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
    agents: [DEMO_AGENT, DEMO_ANALYST],
    port: portFromEnv(process.env.FAKE_MISTRAL_PORT),
    responder: demoAnswer,
  });
  process.stdout.write(
    `fake Mistral listening on ${fake.url} — use MISTRAL_SERVER_URL=${fake.url} MISTRAL_API_KEY=${API_KEY} MISTRAL_AGENT_ID=${DEMO_AGENT.id}\n`,
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
