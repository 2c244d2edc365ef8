import { createSlackAdapter, type SlackAdapter } from '../../../adapters/slack/slack-adapter.js';
import type { Core } from '../../../src/app.js';
import { createHealthCheck } from '../../../src/http/health.js';
import { createHttpServer } from '../../../src/http/http-server.js';
import type { ConversationStore } from '../../../src/store/store.js';
import type { FakeMistral } from '../../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack/index.js';
import { capturingLogger, startRigMistral, testConfig, testCore } from '../../support/rig-parts.js';

/** Parley with its Slack adapter, wired to a fake Slack and a fake Mistral. */
export interface SlackRig {
  readonly slack: FakeSlack;
  readonly mistral: FakeMistral;
  readonly core: Core;
  readonly adapter: SlackAdapter;
  readonly agent: string;
  readonly otherAgent: string;
  readonly mistralKey: string;
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
  const { mistral, env, agent, otherAgent } = await startRigMistral('slack');
  const config = testConfig({
    ...env,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: slack.signingSecret,
    SLACK_API_URL: slack.apiUrl,
  });
  const mistralKey = config.mistral.apiKey;
  const { logger, logs } = capturingLogger([mistralKey, slack.botToken, slack.signingSecret]);
  const core = testCore(config, logger, options.store);
  const platforms: SlackAdapter[] = [];
  const http = createHttpServer({
    logger,
    metrics: core.metrics,
    health: createHealthCheck(core.store, () => platforms),
  });
  const adapter = createSlackAdapter(config.slack ?? missing('slack'), {
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
    agent,
    otherAgent,
    mistralKey,
    baseUrl,
    eventsUrl: `${baseUrl}/slack/events`,
    logs,
    async close() {
      await adapter.stop();
      await http.close();
      await core.close(1_000);
      await slack.close();
      await mistral.close();
    },
  };
}

function missing(what: string): never {
  throw new Error(`test config has no ${what}`);
}
