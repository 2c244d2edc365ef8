import { PassThrough, Writable } from 'node:stream';
import { createConsoleAdapter } from '../../adapters/console/console-adapter.js';
import { createCore } from '../../src/app.js';
import type { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPrometheusMetrics } from '../../src/metrics/metrics.js';
import { createMemoryConversationStore } from '../../src/store/memory-store.js';

/** Types `lines` into a console chat of `config` (memory store) and returns what it printed. */
export async function runConsoleLines(
  config: Config,
  lines: readonly string[],
  options: { readonly filesDir?: string } = {},
): Promise<string> {
  const core = createCore(config, silentLogger, {
    store: createMemoryConversationStore({ limits: config.history }),
    metrics: createPrometheusMetrics(),
  });
  const input = new PassThrough();
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const adapter = createConsoleAdapter({
    dispatcher: core.dispatcher,
    commands: core.commands,
    input,
    output: sink,
    userName: 'ada',
    isInteractive: false,
    ...(options.filesDir === undefined ? {} : { filesDir: options.filesDir }),
    roleplay: { engine: core.roleplay, roster: config.roster, limits: config.roleplay },
  });
  input.end(lines.map((line) => `${line}\n`).join(''));
  await adapter.run();
  await core.close(0);
  return output;
}
