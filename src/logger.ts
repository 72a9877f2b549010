// Structured JSON lines on stdout, one object per line, with the request or job id when there is one.
// Secrets never reach the output: values under secret-looking keys are replaced, and Slack tokens inside
// any string are masked, since error messages from libraries sometimes echo request bodies.
import { AsyncLocalStorage } from 'node:async_hooks';
import { LogLevel } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/bolt';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY_PATTERN = /token|secret|password|passwd|authorization|cookie|signature|smtp_url|database_url/i;
const SECRET_VALUE_PATTERN = /\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)|(\/\/[^:/\s]+:)[^@/\s]+@/g;

// The id of the Slack request or job being handled, for every line logged while it runs (including the lines
// of loggers created elsewhere: the mailer's, the Slack Web API client's), without passing loggers around.
const logContext = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs `work` with `fields` (a `requestId`, a `jobId`) added to every line logged inside it, awaited parts included. */
export function withLogContext<T>(fields: Record<string, unknown>, work: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, work);
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: Level;
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = LEVEL_RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const base = options.base ?? {};
  const emit = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (LEVEL_RANK[level] < minimum) return;
    const entry = {
      time: new Date().toISOString(),
      level,
      message: maskSecrets(message),
      ...logContext.getStore(),
      ...base,
      ...fields,
    };
    write(JSON.stringify(entry, redactReplacer));
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

function redactReplacer(key: string, value: unknown): unknown {
  if (key && SECRET_KEY_PATTERN.test(key) && value !== null && value !== undefined && value !== '') {
    return '[redacted]';
  }
  if (value instanceof Error) {
    return { name: value.name, message: maskSecrets(value.message), stack: value.stack && maskSecrets(value.stack) };
  }
  if (typeof value === 'string') return maskSecrets(value);
  return value;
}

// Libraries log whole payloads as strings (the Socket Mode client at debug level, for instance), where the
// key-based redaction cannot see them: JSON-looking "token": "…" pairs are masked too.
const SECRET_JSON_FIELD_PATTERN =
  /("(?:token|verification_token|access_token|client_secret|password)"\s*:\s*")[^"]*"/gi;

export function maskSecrets(text: string): string {
  return text
    .replace(SECRET_VALUE_PATTERN, (_match, token: string | undefined, userPrefix: string | undefined) =>
      token ? `${token.slice(0, 5)}[redacted]` : `${userPrefix ?? ''}[redacted]@`,
    )
    .replace(SECRET_JSON_FIELD_PATTERN, '$1[redacted]"');
}

/** Bolt and the Web API client log through this, so their lines are JSON and redacted too. */
export function toSlackLogger(logger: Logger, level: Level = 'info'): SlackLogger {
  let current = level;
  let name = 'slack';
  const join = (parts: unknown[]) => parts.map((part) => (typeof part === 'string' ? part : safeJson(part))).join(' ');
  const rank = () => LEVEL_RANK[current];
  return {
    debug: (...parts) => rank() <= LEVEL_RANK.debug && logger.debug(join(parts), { component: name }),
    info: (...parts) => rank() <= LEVEL_RANK.info && logger.info(join(parts), { component: name }),
    warn: (...parts) => rank() <= LEVEL_RANK.warn && logger.warn(join(parts), { component: name }),
    error: (...parts) => logger.error(join(parts), { component: name }),
    setLevel: (next: LogLevel) => {
      current = next as Level;
    },
    getLevel: () => current as LogLevel,
    setName: (next: string) => {
      name = next;
    },
  } as SlackLogger;
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export const slackLogLevel: Record<Level, LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};
