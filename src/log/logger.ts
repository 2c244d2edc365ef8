import { type DestinationStream, pino } from 'pino';

export type LogFields = Readonly<Record<string, unknown>>;

/** The logger every module receives: constant event names, fields not sentences. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  readonly level: string;
  /** Every configured secret value; each is masked wherever it appears in a line. */
  readonly secrets: readonly (string | undefined)[];
  readonly destination?: DestinationStream;
}

export const REDACTED = '[redacted]';

// Field names that hold credentials anywhere in a logged object.
const REDACT_PATHS = [
  'token',
  'apiKey',
  'authorization',
  'password',
  'secret',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.Authorization',
  '*.signingSecret',
  '*.botToken',
  '*.appToken',
  'headers.authorization',
  '*.headers.authorization',
];

// Shorter strings are too likely to occur by chance to be masked by value.
const MIN_SECRET_LENGTH = 6;

/** JSON logs through pino, secrets removed both by field name and by value. */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets.filter(
    (secret): secret is string => secret !== undefined && secret.length >= MIN_SECRET_LENGTH,
  );
  const base = pino(
    {
      level: options.level,
      base: null,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: (line) => maskSecrets(line, secrets) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
  return wrap(base);
}

/** Replaces every occurrence of each secret (and its JSON-escaped form) with a marker. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    masked = masked.split(secret).join(REDACTED);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) masked = masked.split(escaped).join(REDACTED);
  }
  return masked;
}

function wrap(base: pino.Logger): Logger {
  const emit =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (event: string, fields: LogFields = {}): void => {
      base[level](serializeErrors(fields), event);
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => wrap(base.child(fields)),
  };
}

/** Errors become `{ name, code, message }`: never a stack trace of someone else's secrets. */
function serializeErrors(fields: LogFields): LogFields {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? describeError(value) : value;
  }
  return out;
}

function describeError(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
}

/** A logger that drops everything (tests and tools). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
