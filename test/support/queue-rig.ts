import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FakeMistral, startFakeMistral } from '../fakes/mistral/fake-mistral.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack/index.js';
import { redisUrl } from '../setup/redis.js';
import { type ParleyProcess, slackQueueEnv, startParleyProcess } from './parley-process.js';

/** The fakes a queue e2e file talks to, filled in before its first test. */
export interface QueueFakes {
  slack: FakeSlack;
  mistral: FakeMistral;
}

/**
 * One e2e file's production path: a fake Slack and Mistral for the file, and Parley processes
 * with Redis and the queue on the test Redis, killed after each test.
 */
export function useQueueRig(agent: { readonly id: string; readonly name: string }, apiKey: string) {
  const fakes = {} as QueueFakes;
  const running: ParleyProcess[] = [];
  beforeAll(async () => {
    fakes.slack = await startFakeSlack({ teamId: `T${randomUUID().slice(0, 8).toUpperCase()}` });
    fakes.mistral = await startFakeMistral({ apiKey, agents: [agent] });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((parley) => parley.kill()));
    fakes.mistral.reset();
  });
  afterAll(async () => {
    await fakes.slack.close();
    await fakes.mistral.close();
  });
  return {
    fakes,
    running,
    /** Starts Parley in `role` with its own key prefix (see `newPrefix`). */
    async parley(prefix: string, role: string): Promise<ParleyProcess> {
      const { slack, mistral } = fakes;
      const env = slackQueueEnv({
        slack,
        mistral,
        agentId: agent.id,
        redisUrl: redisUrl(),
        prefix,
      });
      const started = await startParleyProcess(env, ['--role', role]);
      running.push(started);
      return started;
    },
    /** A prefix of its own per test: other files share the test Redis (and queues would mix). */
    newPrefix: () => `t${randomUUID().slice(0, 8)}`,
  };
}
