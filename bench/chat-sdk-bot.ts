/**
 * The load benchmark's Chat SDK bot: the Vercel Chat SDK (`chat`) with its Slack adapter over
 * HTTP and its Redis state adapter, written the way the SDK's README shows. On a new mention it
 * subscribes to the thread; on that mention and on every message in a subscribed thread it
 * streams the agent's answer (Mistral SDK) with `thread.post(asyncIterable)`, the SDK's own
 * streaming (Slack's native chat.startStream / appendStream / stopStream).
 *
 * Run as its own process: `node --import tsx bench/chat-sdk-bot.ts`, with MISTRAL_API_KEY,
 * MISTRAL_AGENT_ID, MISTRAL_SERVER_URL, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL,
 * REDIS_URL, PORT.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSlackAdapter, type SlackAdapter } from '@chat-adapter/slack';
import { createRedisState } from '@chat-adapter/state-redis';
import { Mistral } from '@mistralai/mistralai';
import { type Adapter, Chat, ConsoleLogger, type Message, type Thread } from 'chat';
import { agentDeltas, required } from './bot-parts.js';

const FAILURE_TEXT = 'Sorry, the agent could not answer.';
// The bench keeps what a bot logs at warn and up: the SDK's own warnings show in its report.
const LOG_LEVEL = 'warn';

interface BotSettings {
  readonly agentId: string;
  readonly sdk: Mistral;
}

/** The agent's answer as it streams; one failure line instead if the call fails. */
async function* answerStream(settings: BotSettings, question: string): AsyncGenerator<string> {
  let hasText = false;
  try {
    for await (const text of agentDeltas(settings.sdk, settings.agentId, question)) {
      hasText = true;
      yield text;
    }
  } catch (error) {
    process.stderr.write(`chat sdk: agent call failed: ${String(error)}\n`);
  }
  if (!hasText) yield FAILURE_TEXT;
}

// The adapter's `botUserId` getter is `string | undefined` where `Adapter` declares an optional
// property: the same thing, except under our `exactOptionalPropertyTypes`.
type ChatSlackAdapter = Omit<SlackAdapter, 'botUserId'> & Pick<Adapter, 'botUserId'>;

function createBot(settings: BotSettings) {
  const logger = new ConsoleLogger(LOG_LEVEL);
  const slack: ChatSlackAdapter = createSlackAdapter({
    botToken: required('SLACK_BOT_TOKEN'),
    signingSecret: required('SLACK_SIGNING_SECRET'),
    apiUrl: required('SLACK_API_URL'),
    logger,
  }) as ChatSlackAdapter;
  const bot = new Chat({
    userName: 'parley-bench',
    adapters: { slack },
    state: createRedisState({ url: required('REDIS_URL'), logger }),
    logger,
  });
  const answer = (thread: Thread, message: Message) =>
    thread.post(answerStream(settings, message.text));
  bot.onNewMention(async (thread, message) => {
    await thread.subscribe();
    await answer(thread, message);
  });
  bot.onSubscribedMessage(async (thread, message) => {
    await answer(thread, message);
  });
  return bot;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Node's request as the Web `Request` the SDK's webhook handlers take. */
async function webRequest(request: IncomingMessage, port: number): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const body = await readBody(request);
  return new Request(`http://127.0.0.1:${port}${request.url ?? '/'}`, {
    method: request.method ?? 'POST',
    headers,
    ...(body.length === 0 ? {} : { body }),
  });
}

async function writeResponse(response: ServerResponse, answer: Response): Promise<void> {
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(Buffer.from(await answer.arrayBuffer()));
}

/** `/healthz` and `/slack/events`; the SDK acks at once and answers in `waitUntil` tasks. */
function createHttpServer(
  bot: ReturnType<typeof createBot>,
  port: number,
  pending: Set<Promise<unknown>>,
) {
  const waitUntil = (task: Promise<unknown>): void => {
    const tracked = task.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  return createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (request.method !== 'POST' || request.url !== '/slack/events') {
      response.writeHead(404).end();
      return;
    }
    webRequest(request, port)
      .then((webhook) => bot.webhooks.slack(webhook, { waitUntil }))
      .then((answer) => writeResponse(response, answer))
      .catch((error: unknown) => {
        process.stderr.write(`chat sdk: webhook failed: ${String(error)}\n`);
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
  });
}

const port = Number(required('PORT'));
const settings: BotSettings = {
  agentId: required('MISTRAL_AGENT_ID'),
  sdk: new Mistral({
    apiKey: required('MISTRAL_API_KEY'),
    serverURL: required('MISTRAL_SERVER_URL'),
    retryConfig: { strategy: 'none' },
  }),
};
const bot = createBot(settings);
const pending = new Set<Promise<unknown>>();
// Connects Redis and runs the adapter's auth.test before /healthz answers.
await bot.initialize();
const server = createHttpServer(bot, port, pending);
server.listen(port, '127.0.0.1');
const stop = (): void => {
  server.close();
  Promise.allSettled([...pending])
    .then(() => bot.shutdown())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
