import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../src/log/logger.js';
import { testSecret } from '../support/test-secret.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, destination: destination as unknown as import('pino').DestinationStream };
}

describe('createLogger', () => {
  it('writes one JSON object per event with fields, not sentences', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', secrets: [], destination });

    log.child({ component: 'x' }).info('reply posted', { thread: 't', ms: 5 });

    const entry = JSON.parse(lines[0] ?? '{}');
    expect(entry).toMatchObject({
      msg: 'reply posted',
      component: 'x',
      thread: 't',
      ms: 5,
      level: 30,
    });
  });

  it('masks configured secrets wherever they appear, and credential fields by name', () => {
    const { lines, destination } = capture();
    const secret = testSecret('xoxb-');
    const log = createLogger({ level: 'debug', secrets: [secret, undefined], destination });

    log.warn('call failed', {
      error: new Error(`bad token ${secret}`),
      url: `https://x?t=${secret}`,
    });
    log.info('request', { headers: { authorization: 'Bearer abc' }, token: 'zzz' });

    const text = lines.join('');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('Bearer abc');
    expect(text).not.toContain('zzz');
    expect(text).toContain(REDACTED);
  });
});
