// Logs are JSON lines, and nothing secret survives into them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger, maskSecrets, toSlackLogger, withLogContext } from '../../src/logger.ts';
import { createSlackErrorHandler } from '../../src/slack/errors.ts';

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) };
}

describe('the logger', () => {
  it('writes one JSON object per line with the fields given', () => {
    const { lines, logger } = capture();
    logger.child({ requestId: 'r-1' }).info('slack request', { user: 'U0REQ0001' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'info',
      message: 'slack request',
      requestId: 'r-1',
      user: 'U0REQ0001',
    });
  });

  it('redacts secret-looking fields, Slack tokens and URL passwords anywhere', () => {
    const { lines, logger } = capture();
    logger.error('failed with xoxb-1234-5678-abcdef', {
      token: 'abc',
      config: { SECRET_KEY: 'k'.repeat(40), smtpUrl: 'smtp://user:hunter2@mail.example:587' },
      error: new Error('connect postgres://domum:s3cret@db:5432/domum failed'),
    });
    const line = lines[0] ?? '';
    for (const secret of ['xoxb-1234-5678-abcdef', '"abc"', 'k'.repeat(40), 'hunter2', 's3cret'])
      expect(line).not.toContain(secret);
    expect(line).toContain('[redacted]');
  });

  it('masks token fields inside payloads that libraries log as strings', () => {
    expect(maskSecrets('{"envelope_id":"e1","payload":{"token":"gIkuvaNzQIHg97ATvDxqgjtO","text":"help"}}')).toBe(
      '{"envelope_id":"e1","payload":{"token":"[redacted]","text":"help"}}',
    );
    const { lines, logger } = capture();
    toSlackLogger(logger, 'debug').debug('received', '{"token":"verification-token-value"}', 'xapp-1-A0-secret');
    expect(lines[0]).not.toContain('verification-token-value');
    expect(lines[0]).not.toContain('xapp-1-A0-secret');
  });

  it('drops lines below the configured level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => lines.push(line) });
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((line) => (JSON.parse(line) as { message: string }).message)).toEqual(['loud']);
  });

  it('adds the fields of the surrounding log context (a request or job id) to every logger, across awaits', async () => {
    const { lines, logger } = capture();
    const other = createLogger({ level: 'debug', write: (line) => lines.push(line) }).child({ component: 'mailer' });
    await withLogContext({ jobId: 'job-1' }, async () => {
      logger.info('in the job');
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      withLogContext({ requestId: 'r-2' }, () => other.info('nested'));
      other.info('after a timer', { jobId: 'explicit wins' });
    });
    logger.info('outside');
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map(({ message, jobId, requestId }) => ({ message, jobId, requestId }))).toEqual([
      { message: 'in the job', jobId: 'job-1', requestId: undefined },
      { message: 'nested', jobId: 'job-1', requestId: 'r-2' },
      { message: 'after a timer', jobId: 'explicit wins', requestId: undefined },
      { message: 'outside', jobId: undefined, requestId: undefined },
    ]);
  });

  it('logs an unexpected Slack listener error with its reference id and the request id', async () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error('boom xoxb-1-2-secret'), { code: 'slack_bolt_unknown_error' });
    await createSlackErrorHandler(logger)({
      error,
      body: { type: 'block_actions', user: { id: 'U0REQ0001' } },
      context: { requestId: 'r-9' },
    });
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'error',
      message: 'unexpected error in a Slack listener',
      requestId: 'r-9',
      user: 'U0REQ0001',
    });
    expect(line.referenceId).toMatch(/^[0-9A-F]{8}$/);
    expect(lines[0]).not.toContain('xoxb-1-2-secret');
  });
});

/** The line `write` received, parsed; the test fails if there is not exactly one or it is not JSON. */
function onlyLine(lines: string[]): Record<string, unknown> {
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0] ?? '') as Record<string, unknown>;
}

describe('the logger, given values JSON cannot write', () => {
  it('writes cycles, BigInt, symbols, NaN, typed arrays and null-prototype objects', () => {
    const { lines, logger } = capture();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    loop.list = [loop, { back: loop }];
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { kind: 'bare' });
    logger.info('odd values', {
      loop,
      shared: [bare, bare],
      big: 12345678901234567890n,
      symbol: Symbol('xoxb-1-2-symbolsecret'),
      notANumber: Number.NaN,
      infinite: -Infinity,
      bytes: new Uint8Array(2048),
      when: new Date(Date.UTC(2026, 0, 2)),
      invalid: new Date(Number.NaN),
      callback: () => 1,
    });
    const line = onlyLine(lines);
    expect(line).toMatchObject({
      loop: { name: 'loop', self: '[circular]', list: ['[circular]', { back: '[circular]' }] },
      shared: [{ kind: 'bare' }, { kind: 'bare' }],
      big: '12345678901234567890',
      symbol: 'Symbol(xoxb-[redacted])',
      notANumber: 'NaN',
      infinite: '-Infinity',
      bytes: '[Uint8Array of 2048 bytes]',
      when: '2026-01-02T00:00:00.000Z',
      invalid: null,
    });
    expect(line).not.toHaveProperty('callback');
  });

  it('writes a marker where a getter, toJSON, a proxy or toString throws, and the rest of the line', () => {
    const { lines, logger } = capture();
    const getter = {
      fine: 1,
      get broken(): never {
        throw new Error('getter');
      },
    };
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys');
        },
      },
    );
    logger.warn('hostile values', {
      getter,
      toJSON: { toJSON: () => ({ nested: 'xoxb-9-9-tojson' }) },
      throwingToJSON: {
        toJSON() {
          throw new Error('toJSON');
        },
      },
      bigintToJSON: { toJSON: () => 7n },
      revoked: revoked.proxy,
      hostile,
    });
    logger.error({ toString: () => 'as text' } as unknown as string);
    logger.error(Object.create(null) as string);
    expect(lines).toHaveLength(3);
    const [first, second, third] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({
      message: 'hostile values',
      getter: { fine: 1, broken: '[unreadable]' },
      toJSON: { nested: 'xoxb-[redacted]' },
      throwingToJSON: '[unreadable]',
      bigintToJSON: '7',
      revoked: '[unreadable]',
      hostile: '[unreadable]',
    });
    expect(second?.message).toBe('as text');
    expect(third?.message).toBe('[unreadable]');
  });

  it('cuts huge strings, wide arrays, deep nesting and big lines, saying so', () => {
    const { lines, logger } = capture();
    let deep: Record<string, unknown> = { bottom: true };
    for (let level = 0; level < 1000; level++) deep = { deeper: deep };
    let fanOut: unknown = 'leaf';
    // A million paths through shared arrays: a bound on depth and width alone would still write megabytes.
    for (let level = 0; level < 3; level++) fanOut = Array.from({ length: 100 }, () => fanOut);
    logger.info('x'.repeat(1_000_000), {
      long: 'y'.repeat(50_000),
      wide: Array.from({ length: 10_000 }, (_, index) => index),
      deep,
      fanOut,
    });
    const line = onlyLine(lines);
    expect(lines[0]?.length).toBeLessThan(300_000);
    expect(line.message).toBe(`${'x'.repeat(10_000)}…[990000 more characters]`);
    expect(line.long).toBe(`${'y'.repeat(10_000)}…[40000 more characters]`);
    expect((line.wide as unknown[]).slice(-2)).toEqual([99, '[9900 more items]']);
    expect(JSON.stringify(line.deep)).toContain('"[too deep]"');
    expect(JSON.stringify(line.fanOut)).toContain('"[truncated]"');
  });

  it("keeps an error's name, message, stack, code, nested causes and an AggregateError's errors, masked", () => {
    const { lines, logger } = capture();
    const root = Object.assign(new Error('connect postgres://domum:s3cret@db:5432/domum failed'), {
      code: 'ECONNREFUSED',
      config: { headers: { Authorization: 'Bearer xyz' } },
    });
    const middle = new Error('query failed', { cause: root });
    const aggregate = new AggregateError([middle, 'plain reason'], 'all attempts failed');
    const top = Object.assign(new Error('import failed', { cause: aggregate }), { code: 42 });
    logger.error('failed', { error: top });
    const error = onlyLine(lines).error as Record<string, unknown>;
    expect(error).toMatchObject({
      name: 'Error',
      message: 'import failed',
      code: 42,
      cause: {
        name: 'AggregateError',
        message: 'all attempts failed',
        errors: [
          {
            message: 'query failed',
            cause: { message: 'connect postgres://domum:[redacted]@db:5432/domum failed', code: 'ECONNREFUSED' },
          },
          'plain reason',
        ],
      },
    });
    expect(error.stack).toMatch(/^Error: import failed\n\s+at /);
    expect(lines[0]).not.toContain('s3cret');
    // Other properties stay out: libraries hang whole requests on their errors.
    expect(lines[0]).not.toContain('headers');
  });

  it('writes errors whose properties are odd, and bounds a cause chain that loops or never ends', () => {
    const { lines, logger } = capture();
    const odd = new Error('odd');
    Object.defineProperty(odd, 'message', {
      get() {
        throw new Error('message getter');
      },
    });
    Object.defineProperty(odd, 'name', { value: { not: 'a string' } });
    odd.stack = undefined;
    const looping = new Error('looping');
    looping.cause = looping;
    let chain = new Error('cause 0');
    for (let index = 1; index <= 1000; index++) chain = new Error(`cause ${index}`, { cause: chain });
    logger.error('odd errors', { odd, looping, chain });
    logger.error('an error instead of fields', odd as unknown as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({
      odd: { name: { not: 'a string' }, message: '[unreadable]' },
      looping: { message: 'looping', cause: '[circular]' },
      chain: { message: 'cause 1000', cause: { message: 'cause 999' } },
    });
    expect(JSON.stringify(first?.chain)).toContain('"[too deep]"');
    expect(second).toMatchObject({ message: 'an error instead of fields', error: { message: '[unreadable]' } });
  });

  it('keeps its own time, level and message, and writes fields with those names as field.<name>', () => {
    const { lines, logger } = capture();
    const before = Date.now();
    withLogContext({ level: 'context' }, () =>
      logger
        .child({ time: 'child' })
        .warn('the real message', { message: 'a field', level: 'debug', time: 0, 'field.other': 1 }),
    );
    const line = onlyLine(lines);
    expect(line).toMatchObject({
      level: 'warn',
      message: 'the real message',
      'field.message': 'a field',
      'field.level': 'debug',
      'field.time': 0,
      'field.other': 1,
    });
    expect(Date.parse(line.time as string)).toBeGreaterThanOrEqual(before);
  });

  it('reads the fields of a child logger once, when the child is made', () => {
    const { lines, logger } = capture();
    const fields = { step: 'first' };
    const child = logger.child(fields);
    fields.step = 'second';
    child.info('which step');
    expect(onlyLine(lines).step).toBe('first');
  });

  it('lets Bolt log circular and null-prototype objects and errors whose message throws', () => {
    const { lines, logger } = capture();
    const loop: Record<string, unknown> = { token: 'xoxb-1-2-looptoken' };
    loop.self = loop;
    const odd = new Error('odd');
    Object.defineProperty(odd, 'message', {
      get() {
        throw new Error('message getter');
      },
    });
    const slack = toSlackLogger(logger, 'debug');
    slack.debug('parts', loop, Object.create(null), odd, 5n);
    expect(onlyLine(lines).message).toBe('parts {"token":"[redacted]","self":"[circular]"} {} Error: [unreadable] "5"');
  });
});

/**
 * A copy of a generated value with its plain objects and arrays fresh (so the generator's own value is never
 * changed), collecting them so cycles can be added between them.
 */
function copyPlain(value: unknown, objects: object[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = value.map((item: unknown) => copyPlain(item, objects));
    objects.push(copy);
    return copy;
  }
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy = Object.create(prototype) as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(copy, key, { value: copyPlain(item, objects), enumerable: true, writable: true });
  }
  objects.push(copy);
  return copy;
}

const anyValue = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  stringUnit: 'binary',
});

/** Objects (BigInt, null prototypes, the logger's own key names…) with references back into themselves. */
const cyclicObject = fc
  .tuple(
    fc.object({ values: [anyValue], withNullPrototype: true, withBigInt: true }),
    fc.record({ time: anyValue, level: anyValue, message: anyValue }, { requiredKeys: [] }),
    fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string()), { maxLength: 6 }),
  )
  .map(([object, reserved, links]) => {
    const objects: object[] = [];
    const root = copyPlain({ ...object, ...reserved }, objects) as Record<string, unknown>;
    for (const [from, to, key] of links) {
      const source = objects[from % objects.length];
      const target = objects[to % objects.length];
      if (Array.isArray(source)) source.push(target);
      else if (source) Object.defineProperty(source, key, { value: target, enumerable: true, writable: true });
    }
    return root;
  });

const anyFields = fc.oneof(anyValue, cyclicObject) as fc.Arbitrary<Record<string, unknown>>;

describe('the logger, fuzzed', () => {
  it('never throws and always writes one JSON line with its own time, level and message', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('xoxb-1-2-secret', 'smtp://u:p@h')),
        anyFields,
        anyFields,
        anyFields,
        (message, fields, childFields, contextFields) => {
          const lines: string[] = [];
          const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
          const before = Date.now();
          withLogContext(contextFields, () => {
            logger.child(childFields).warn(message, fields);
            toSlackLogger(logger, 'debug').info(message, fields, childFields);
          });
          expect(lines).toHaveLength(2);
          const [line, slackLine] = lines.map((text) => JSON.parse(text) as Record<string, unknown>);
          expect(line?.level).toBe('warn');
          expect(line?.message).toBe(maskSecrets(message));
          expect(slackLine?.level).toBe('info');
          for (const parsed of [line, slackLine]) {
            expect(typeof parsed?.time).toBe('string');
            expect(Date.parse(parsed?.time as string)).toBeGreaterThanOrEqual(before);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
