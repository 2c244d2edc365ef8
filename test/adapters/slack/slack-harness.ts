import { createSlackAdapter, type SlackAdapter } from '../../../adapters/slack/slack-adapter.js';
import { type Core, createCore } from '../../../src/app.js';
import { loadConfig } from '../../../src/config/config.js';
import { createHealthCheck } from '../../../src/http/health.js';
import { createHttpServer, type HttpServer } from '../../../src/http/http-server.js';
import { createLogger } from '../../../src/log/logger.js';
import { createPrometheusMetrics } from '../../../src/metrics/metrics.js';
import { createMemoryConversationStore } from '../../../src/store/memory-store.js';
import type { ConversationStore } from '../../../src/store/store.js';
import { type FakeMistral, startFakeMistral } from '../../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack/index.js';

export const AGENT = 'ag:slack:main';
export const OTHER_AGENT = 'ag:slack:other';
export const MISTRAL_KEY = 'mistral-secret-key-for-slack-tests';

/** Parley with its Slack adapter, wired to a fake Slack and a fake Mistral. */
export interface SlackRig {
  readonly slack: FakeSlack;
  readonly mistral: FakeMistral;
  readonly core: Core;
  readonly adapter: SlackAdapter;
  readonly eventsUrl: string;
  readonly baseUrl: string;
  /** Everything Parley logged, as JSON lines. */
  readonly logs: () => string;
  close(): Promise<void>;
}

export async function startSlackRig(
  options: { store?: ConversationStore } = {},
): Promise<SlackRig> {
  const slack = await startFakeSlack({
    botToken: 'xoxb-1234-secret-slack-token',
    signingSecret: 'slack-signing-secret-abc',
  });
  const mistral = await startFakeMistral({
    apiKey: MISTRAL_KEY,
    agents: [
      { id: AGENT, name: 'Main Agent' },
      { id: OTHER_AGENT, name: 'Other Agent' },
    ],
  });
  const result = loadConfig({
    MISTRAL_API_KEY: MISTRAL_KEY,
    MISTRAL_AGENT_ID: AGENT,
    MISTRAL_SERVER_URL: mistral.url,
    AGENTS: `other=${OTHER_AGENT}`,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
    AGENT_RETRY_BUDGET_MS: '0',
  });
  if (!result.ok || result.config.slack === undefined)
    throw new Error(`bad test config: ${JSON.stringify(result)}`);
  let logText = '';
  const logger = createLogger({
    level: 'debug',
    secrets: [MISTRAL_KEY, slack.botToken, slack.signingSecret],
    destination: {
      write: (line: string) => {
        logText += line;
      },
    },
  });
  const store = options.store ?? createMemoryConversationStore({ limits: result.config.history });
  const core = createCore(result.config, logger, { store, metrics: createPrometheusMetrics() });
  const platforms: SlackAdapter[] = [];
  const http: HttpServer = createHttpServer({
    logger,
    metrics: core.metrics,
    health: createHealthCheck(core.store, () => platforms),
  });
  const adapter = createSlackAdapter(result.config.slack, {
    dispatcher: core.dispatcher,
    commands: core.commands,
    store: core.store,
    logger,
    http,
  });
  platforms.push(adapter);
  const port = await http.listen(0, '127.0.0.1');
  await adapter.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    slack,
    mistral,
    core,
    adapter,
    baseUrl,
    eventsUrl: `${baseUrl}/slack/events`,
    logs: () => logText,
    async close() {
      await adapter.stop();
      await http.close();
      await core.close(1_000);
      await slack.close();
      await mistral.close();
    },
  };
}
