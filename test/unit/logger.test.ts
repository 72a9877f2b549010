// Logs are JSON lines, and nothing secret survives into them.
import { describe, expect, it } from 'vitest';
import { createLogger, maskSecrets, toSlackLogger } from '../../src/logger.ts';

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) };
}

describe('the logger', () => {
  it('writes one JSON object per line with the fields given', () => {
    const { lines, logger } = capture();
    logger.child({ requestId: 'r-1' }).info('slack request', { user: 'U0REQ0001' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', message: 'slack request', requestId: 'r-1', user: 'U0REQ0001' });
  });

  it('redacts secret-looking fields, Slack tokens and URL passwords anywhere', () => {
    const { lines, logger } = capture();
    logger.error('failed with xoxb-1234-5678-abcdef', {
      token: 'abc',
      config: { SECRET_KEY: 'k'.repeat(40), smtpUrl: 'smtp://user:hunter2@mail.example:587' },
      error: new Error('connect postgres://domum:s3cret@db:5432/domum failed'),
    });
    const line = lines[0] ?? '';
    for (const secret of ['xoxb-1234-5678-abcdef', '"abc"', 'k'.repeat(40), 'hunter2', 's3cret']) expect(line).not.toContain(secret);
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
});
