/**
 * The load benchmark's baseline: the smallest sensible Slack bot over Mistral. Bolt over HTTP
 * on PORT; on a mention (or a DM) it posts a placeholder in the thread, streams the agent's
 * answer with the Mistral SDK, edits the placeholder at most once a second while the answer
 * grows and once at the end. No Redis, no history, no queue.
 *
 * Run as its own process: `node --import tsx bench/bare-bolt-bot.ts`, with MISTRAL_API_KEY,
 * MISTRAL_AGENT_ID, MISTRAL_SERVER_URL, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, PORT.
 */
import { Mistral } from '@mistralai/mistralai';
import { App, LogLevel } from '@slack/bolt';
import { agentDeltas, required } from './bot-parts.js';

type WebClient = App['client'];

const PLACEHOLDER_TEXT = '_Thinking…_';
// chat.update is Tier 3 (~50 per minute): about one edit a second per reply.
const EDIT_INTERVAL_MS = 1_000;
const FAILURE_TEXT = 'Sorry, the agent could not answer.';

interface BotSettings {
  readonly agentId: string;
  readonly port: number;
  readonly sdk: Mistral;
}

/** Edits `ts` as the answer grows: one edit in flight at a time, at most one a second. */
function throttledEditor(client: WebClient, channel: string, ts: string) {
  let lastEditAt = 0;
  let inFlight: Promise<unknown> | undefined;
  return {
    offer(text: string): void {
      if (inFlight !== undefined || Date.now() - lastEditAt < EDIT_INTERVAL_MS) return;
      lastEditAt = Date.now();
      inFlight = client.chat
        .update({ channel, ts, text })
        .catch(() => undefined)
        .finally(() => {
          inFlight = undefined;
        });
    },
    async final(text: string): Promise<void> {
      await inFlight;
      await client.chat.update({ channel, ts, text });
    },
  };
}

async function answer(
  settings: BotSettings,
  client: WebClient,
  place: { readonly channel: string; readonly threadTs: string; readonly text: string },
): Promise<void> {
  const { channel, threadTs } = place;
  const posted = await client.chat.postMessage({
    channel,
    thread_ts: threadTs,
    text: PLACEHOLDER_TEXT,
  });
  const ts = posted.ts;
  if (ts === undefined) throw new Error('chat.postMessage returned no ts');
  const editor = throttledEditor(client, channel, ts);
  let text = '';
  try {
    for await (const delta of agentDeltas(settings.sdk, settings.agentId, place.text)) {
      text += delta;
      if (text.trim() !== '') editor.offer(text);
    }
  } catch (error) {
    process.stderr.write(`bare bolt: agent call failed: ${String(error)}\n`);
    text = FAILURE_TEXT;
  }
  await editor.final(text.trim() === '' ? FAILURE_TEXT : text);
}

function createBot(settings: BotSettings): App {
  const app = new App({
    token: required('SLACK_BOT_TOKEN'),
    signingSecret: required('SLACK_SIGNING_SECRET'),
    clientOptions: { slackApiUrl: required('SLACK_API_URL') },
    logLevel: LogLevel.ERROR,
    customRoutes: [
      {
        path: '/healthz',
        method: ['GET'],
        handler: (_request, response) => {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end('ok');
        },
      },
    ],
  });
  app.event('app_mention', async ({ event, client }) => {
    const threadTs = event.thread_ts ?? event.ts;
    await answer(settings, client, { channel: event.channel, threadTs, text: event.text });
  });
  app.message(async ({ message, client }) => {
    if (message.channel_type !== 'im' || message.subtype !== undefined) return;
    const threadTs = message.thread_ts ?? message.ts;
    const text = message.text ?? '';
    await answer(settings, client, { channel: message.channel, threadTs, text });
  });
  return app;
}

const settings: BotSettings = {
  agentId: required('MISTRAL_AGENT_ID'),
  port: Number(required('PORT')),
  sdk: new Mistral({
    apiKey: required('MISTRAL_API_KEY'),
    serverURL: required('MISTRAL_SERVER_URL'),
    retryConfig: { strategy: 'none' },
  }),
};
const app = createBot(settings);
await app.start(settings.port);
const stop = (): void => {
  app.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
