import { createSlackAdapter, type SlackAdapter } from '../../../adapters/slack/slack-adapter.js';
import type { Core } from '../../../src/app.js';
import { createDirectInbox, createPortRegistry } from '../../../src/core/replies.js';
import { createHealthCheck } from '../../../src/http/health.js';
import { createHttpServer } from '../../../src/http/http-server.js';
import { stagePlaysThrough } from '../../../src/roleplay/port-stage.js';
import type { FakeMistral } from '../../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../../fakes/slack/index.js';
import {
  capturingLogger,
  roleplaySetup,
  type SharedStores,
  startRigMistral,
  testConfig,
  testCore,
} from '../../support/rig-parts.js';
import { testSecret } from '../../support/test-secret.js';

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

export interface SlackRigOptions extends SharedStores {
  /** Socket Mode: `SLACK_APP_TOKEN` set and no signing secret; events come over the fake's WebSocket. */
  readonly socketMode?: boolean;
  /** More settings (access control, limits) on top of the rig's own. */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startSlackRig(options: SlackRigOptions = {}): Promise<SlackRig> {
  const slack = await startFakeSlack({
    botToken: testSecret('xoxb-'),
    signingSecret: testSecret(),
    appToken: testSecret('xapp-1-'),
  });
  const { mistral, env, agent, otherAgent } = await startRigMistral('slack');
  const transport =
    options.socketMode === true
      ? { SLACK_APP_TOKEN: slack.appToken }
      : { SLACK_SIGNING_SECRET: slack.signingSecret };
  const config = testConfig({
    ...env,
    ...transport,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_API_URL: slack.apiUrl,
    ...options.env,
  });
  const mistralKey = config.mistral.apiKey;
  const secrets = [mistralKey, slack.botToken, slack.signingSecret, slack.appToken];
  const { logger, logs } = capturingLogger(secrets);
  const core = testCore(config, logger, options);
  const platforms: SlackAdapter[] = [];
  const http = createHttpServer({
    logger,
    metrics: core.metrics,
    health: createHealthCheck(core.store, () => platforms),
  });
  const registry = createPortRegistry();
  const adapter = createSlackAdapter(config.slack ?? missing('slack'), {
    inbox: createDirectInbox(core.dispatcher, registry.find),
    commands: core.commands,
    store: core.store,
    access: core.access,
    logger,
    http,
    roleplay: roleplaySetup(core),
  });
  platforms.push(adapter);
  const port = await http.listen(0, '127.0.0.1');
  registry.add(adapter.port);
  stagePlaysThrough(core.roleplay, adapter.port);
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

/** Presses a role-play announcement's Stop button, as `user`, in `channel`. */
export function pressStop(rig: SlackRig, channel: string, ts: string, user: string) {
  return rig.slack.sendInteraction(rig.eventsUrl, {
    type: 'block_actions',
    user: { id: user },
    channel: { id: channel },
    message: { ts, text: 'announcement' },
    actions: [{ action_id: 'roleplay_stop', type: 'button', value: '' }],
  });
}
