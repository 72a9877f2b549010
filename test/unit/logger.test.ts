// Logs are JSON lines, and nothing secret survives into them.
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
      await withLogContext({ requestId: 'r-2' }, async () => other.info('nested'));
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
