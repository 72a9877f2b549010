// Structured JSON lines on stdout, one object per line, with the request or job id when there is one.
// Secrets never reach the output: values under secret-looking keys are replaced, and Slack tokens inside
// any string are masked, since error messages from libraries sometimes echo request bodies.
// Logging never throws: it runs in catch blocks and shutdown paths, where a second failure would hide the first.
// Whatever the fields hold (cycles, BigInt, throwing getters or toJSON, proxies, huge or deep values) the line is
// written, with markers such as "[circular]" or "[unreadable]" where a value could not be read as it is.
import { AsyncLocalStorage } from 'node:async_hooks';
// Types only: importing Bolt's LogLevel enum as a value would load all of Bolt (about 36 MB) into every
// process, the CLI's included. Its values are these level names.
import type { LogLevel, Logger as SlackLogger } from '@slack/bolt';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY_PATTERN = /token|secret|password|passwd|authorization|cookie|signature|smtp_url|database_url/i;
const SECRET_VALUE_PATTERN = /\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)|(\/\/[^:/\s]+:)[^@/\s]+@/g;

/** The logger's own keys: a field with one of these names is written as `field.<name>` instead (see README). */
const RESERVED_KEYS = new Set(['time', 'level', 'message']);
// Bounds that keep a line readable and logging cheap whatever it is given; past them a marker says what was cut.
const MAX_DEPTH = 8;
const MAX_ITEMS = 100;
const MAX_STRING_LENGTH = 10_000;
const MAX_FIELD_CHARACTERS = 100_000;

type Entries = ReadonlyArray<readonly [string, unknown]>;

// The id of the Slack request or job being handled, for every line logged while it runs (including the lines
// of loggers created elsewhere: the mailer's, the Slack Web API client's), without passing loggers around.
const logContext = new AsyncLocalStorage<Entries>();

/** Runs `work` with `fields` (a `requestId`, a `jobId`) added to every line logged inside it, awaited parts included. */
export function withLogContext<T>(fields: Record<string, unknown>, work: () => T): T {
  return logContext.run([...(logContext.getStore() ?? []), ...entriesOf(fields)], work);
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
  return createLoggerWith(options, entriesOf(options.base));
}

function createLoggerWith(options: LoggerOptions, base: Entries): Logger {
  const minimum = LEVEL_RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const emit = (level: Level, message: string, fields?: Record<string, unknown>) => {
    if (LEVEL_RANK[level] < minimum) return;
    write(formatLine(level, message, [...(logContext.getStore() ?? []), ...base, ...entriesOf(fields)]));
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    // The child's fields are read now, as a spread would, so later changes to the object do not show.
    child: (fields) => createLoggerWith(options, [...base, ...entriesOf(fields)]),
  };
}

/** One JSON line. Later entries win over earlier ones with the same key; time, level and message always win. */
function formatLine(level: Level, message: unknown, entries: Entries): string {
  const time = new Date().toISOString();
  const text = cutString(maskSecrets(safeString(message)), MAX_STRING_LENGTH);
  try {
    const walk: Walk = { ancestors: new Set(), budget: MAX_FIELD_CHARACTERS };
    const line: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    line.time = time;
    line.level = level;
    line.message = text;
    for (const [key, value] of entries) {
      const name = maskSecrets(key);
      line[RESERVED_KEYS.has(name) ? `field.${name}` : name] = fieldValue(key, value, 0, walk);
    }
    return JSON.stringify(line);
  } catch {
    // Unreachable by construction (fieldValue returns plain JSON data); kept so a bug here still logs the message.
    return JSON.stringify({ time, level, message: text, logError: 'the fields of this line could not be written' });
  }
}

/**
 * The own enumerable fields of what a caller passed, read once. An error passed as the fields is written under
 * `error`; anything else that is not an object (a string, an array) under `fields`.
 */
function entriesOf(fields: unknown): Entries {
  if (fields === undefined || fields === null) return [];
  try {
    if (typeof fields !== 'object' || Array.isArray(fields)) return [['fields', fields]];
    if (fields instanceof Error) return [['error', fields]];
    const keys = Object.keys(fields);
    const entries: Array<[string, unknown]> = keys
      .slice(0, MAX_ITEMS)
      .map((key) => [key, readProperty(fields as Record<string, unknown>, key)]);
    if (keys.length > MAX_ITEMS) entries.push(['…', `[${keys.length - MAX_ITEMS} more fields]`]);
    return entries;
  } catch {
    return [['fields', UNREADABLE]];
  }
}

interface Walk {
  /** The objects being written around the current value: meeting one again is a cycle. */
  ancestors: Set<object>;
  /** Characters of strings and keys left for the fields of this line. */
  budget: number;
}

const UNREADABLE = '[unreadable]';

function fieldValue(key: string, value: unknown, depth: number, walk: Walk): unknown {
  if (SECRET_KEY_PATTERN.test(key) && value !== null && value !== undefined && value !== '') return '[redacted]';
  return toLogValue(value, key, depth, walk);
}

/** `value` as plain JSON data (or undefined, which JSON leaves out as it does today); never throws. */
function toLogValue(value: unknown, key: string, depth: number, walk: Walk): unknown {
  // Every value costs at least its punctuation, so a million empty strings cannot write a gigabyte either.
  walk.budget -= 2;
  switch (typeof value) {
    case 'string':
      return takeString(maskSecrets(value), walk);
    case 'number':
      walk.budget -= 24;
      // JSON would write NaN and Infinity as null, which reads as "no value".
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      walk.budget -= 5;
      return value;
    case 'bigint':
      return takeString(value.toString(), walk);
    case 'symbol':
      return takeString(maskSecrets(String(value)), walk);
    case 'undefined':
    case 'function':
      return undefined;
  }
  if (typeof value !== 'object' || value === null) return null;
  if (walk.budget <= 0) return '[truncated]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (walk.ancestors.has(value)) return '[circular]';
  walk.ancestors.add(value);
  try {
    return objectToLogValue(value, key, depth, walk);
  } catch {
    // A proxy whose traps throw, a getter on the way: the rest of the line is still written.
    return UNREADABLE;
  } finally {
    walk.ancestors.delete(value);
  }
}

function objectToLogValue(value: object, key: string, depth: number, walk: Walk): unknown {
  if (value instanceof Error) return errorToLogValue(value, depth, walk);
  if (ArrayBuffer.isView(value)) return `[${value.constructor.name} of ${value.byteLength} bytes]`;
  // new String('a'), Object(1n): JSON writes the primitive inside, and so does the logger.
  if (value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof BigInt) {
    return toLogValue(value.valueOf(), key, depth + 1, walk);
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // Dates, URLs and the like; a toJSON that throws leaves a marker, as any unreadable value does.
    return toLogValue(toJSON.call(value, key), key, depth + 1, walk);
  }
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (let index = 0; index < Math.min(value.length, MAX_ITEMS); index++) {
      if (walk.budget <= 0) return [...items, '[truncated]'];
      items.push(toLogValue(readProperty(value, index), String(index), depth + 1, walk) ?? null);
    }
    if (value.length > MAX_ITEMS) items.push(`[${value.length - MAX_ITEMS} more items]`);
    return items;
  }
  const keys = Object.keys(value);
  const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of keys.slice(0, MAX_ITEMS)) {
    if (walk.budget <= 0) {
      result['…'] = '[truncated]';
      return result;
    }
    walk.budget -= name.length;
    result[maskSecrets(name)] = fieldValue(name, readProperty(value, name), depth + 1, walk);
  }
  if (keys.length > MAX_ITEMS) result['…'] = `[${keys.length - MAX_ITEMS} more keys]`;
  return result;
}

/**
 * What an error says about itself: name, message, stack, its `code`, its `cause` (nested causes are errors too,
 * bounded by the depth limit) and an AggregateError's `errors`. Other properties are left out: libraries hang
 * whole requests and configurations on their errors.
 */
function errorToLogValue(error: Error, depth: number, walk: Walk): unknown {
  const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of ['name', 'message', 'stack', 'code', 'cause', 'errors'] as const) {
    if (name === 'errors' && !(error instanceof AggregateError)) continue;
    const value = readProperty(error, name);
    if (value !== undefined) result[name] = fieldValue(name, value, depth + 1, walk);
  }
  return result;
}

function readProperty(object: object, key: string | number): unknown {
  try {
    return (object as Record<string | number, unknown>)[key];
  } catch {
    return UNREADABLE;
  }
}

/** Takes a string out of the line's budget, cut to the per-string limit or what is left. */
function takeString(text: string, walk: Walk): string {
  const kept = cutString(text, Math.max(0, Math.min(MAX_STRING_LENGTH, walk.budget)));
  walk.budget -= Math.min(text.length, MAX_STRING_LENGTH);
  return kept;
}

function cutString(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…[${text.length - limit} more characters]`;
}

function safeString(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return UNREADABLE;
  }
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
  const join = (parts: unknown[]) => parts.map(inlineText).join(' ');
  const rank = () => LEVEL_RANK[current];
  return {
    debug: (...parts) => rank() <= LEVEL_RANK.debug && logger.debug(join(parts), { component: name }),
    info: (...parts) => rank() <= LEVEL_RANK.info && logger.info(join(parts), { component: name }),
    warn: (...parts) => rank() <= LEVEL_RANK.warn && logger.warn(join(parts), { component: name }),
    error: (...parts) => logger.error(join(parts), { component: name }),
    setLevel: (next: LogLevel) => {
      current = next;
    },
    getLevel: () => current as LogLevel,
    setName: (next: string) => {
      name = next;
    },
  };
}

/** One part of a Slack library's log call as text: errors as "Name: message", anything else as JSON. */
function inlineText(part: unknown): string {
  if (typeof part === 'string') return part;
  const walk: Walk = { ancestors: new Set(), budget: MAX_FIELD_CHARACTERS };
  const value = toLogValue(part, '', 0, walk);
  if (part instanceof Error && typeof value === 'object' && value !== null) {
    const { name, message } = value as { name?: unknown; message?: unknown };
    return `${safeString(name)}: ${safeString(message)}`;
  }
  return JSON.stringify(value) ?? safeString(value);
}

export const slackLogLevel: Record<Level, LogLevel> = {
  debug: 'debug' as LogLevel,
  info: 'info' as LogLevel,
  warn: 'warn' as LogLevel,
  error: 'error' as LogLevel,
};
