// Configuration (README "Configuration" and "The catalog"): validated once, every problem listed in one message.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const slack = { SLACK_BOT_TOKEN: 'xoxb-1-2-3', SLACK_SIGNING_SECRET: 'secret' };

function problemsOf(env: NodeJS.ProcessEnv, purpose?: 'slack' | 'worker' | 'database'): string[] {
  try {
    loadConfig(env, purpose);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(slack);
    expect(config).toMatchObject({
      port: 3000,
      publicBaseUrl: 'http://localhost:3000',
      databaseUrl: undefined,
      smtpUrl: undefined,
      mailFrom: 'Domum <no-reply@localhost>',
      dataDir: './data',
      adminUserIds: [],
      tokenTtlHours: 72,
      approvalTtlHours: 24,
      mailRatePerSecond: 10,
      smtpConnections: 5,
      importMaxRows: 50_000,
      importMaxBytes: 10_485_760,
      defaultTimeZone: 'UTC',
    });
    expect(config.slack).toMatchObject({ apiUrl: 'https://slack.com/api/', socketMode: false });
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      SLACK_BOT_TOKEN: 'not-a-bot-token',
      PORT: 'eighty',
      DEFAULT_TIMEZONE: 'Mars/Olympus',
      DOMUM_ADMIN_USER_IDS: 'U0OK01,alice',
      DATABASE_URL: 'mysql://x',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SLACK_BOT_TOKEN: must be a bot token/),
        expect.stringMatching(/^PORT: must be a port number/),
        expect.stringMatching(/^DEFAULT_TIMEZONE: must be an IANA time zone/),
        expect.stringMatching(/^DOMUM_ADMIN_USER_IDS: "alice" is not a Slack user ID/),
        expect.stringMatching(/^DATABASE_URL: must be a PostgreSQL URL/),
        expect.stringMatching(/^SLACK_SIGNING_SECRET is missing/),
        expect.stringMatching(/^SECRET_KEY is missing/),
      ]),
    );
  });

  it('uses Socket Mode when SLACK_APP_TOKEN is set, without a signing secret', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A0-1' });
    expect(config.slack.socketMode).toBe(true);
  });

  it('asks a worker for the bot token but not the signing secret, and the database commands for neither', () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' }, 'worker')).toEqual([]);
    expect(problemsOf({}, 'worker')).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN is missing/)]);
    expect(problemsOf({}, 'database')).toEqual([]);
  });

  it('keeps a trailing slash on SLACK_API_URL and derives PUBLIC_BASE_URL from PORT', () => {
    const config = loadConfig({
      ...slack,
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      PORT: '8080',
      DOMUM_ADMIN_USER_IDS: ' U0A1 , U0B2 ',
    });
    expect(config.slack.apiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(config.publicBaseUrl).toBe('http://localhost:8080');
    expect(config.adminUserIds).toEqual(['U0A1', 'U0B2']);
  });

  it('refuses an empty PORT instead of listening on a random port, and keeps 3000 when PORT is unset', () => {
    for (const port of ['', '  ', '0x50', '1e3', '80.5', '-1', '65536', 'eighty']) {
      expect(problemsOf({ ...slack, PORT: port }), JSON.stringify(port)).toEqual([
        expect.stringMatching(/^PORT: must be a port number \(0–65535\)/),
      ]);
    }
    expect(problemsOf({ ...slack, PORT: '' })).toEqual([
      'PORT: must be a port number (0–65535), not empty: unset PORT for the default, 3000',
    ]);
    expect(loadConfig({ ...slack, PORT: undefined }).port).toBe(3000);
    expect(loadConfig({ ...slack, PORT: ' 8080 ' }).port).toBe(8080);
    expect(loadConfig({ ...slack, PORT: '65535' }).port).toBe(65535);
    // A random port, on purpose: how the tests start servers.
    expect(loadConfig({ ...slack, PORT: '0' }).port).toBe(0);
  });

  it('refuses a short SECRET_KEY', () => {
    expect(problemsOf({ ...slack, SECRET_KEY: 'short' })).toEqual([
      expect.stringMatching(/^SECRET_KEY: must be at least 32 characters/),
    ]);
  });

  it('reads TOKEN_TTL_HOURS as a positive whole number of hours', () => {
    expect(loadConfig({ ...slack, TOKEN_TTL_HOURS: '24' }).tokenTtlHours).toBe(24);
    for (const value of ['0', '-1', '1.5', 'three'])
      expect(problemsOf({ ...slack, TOKEN_TTL_HOURS: value }), value).toEqual([
        expect.stringMatching(/^TOKEN_TTL_HOURS: /),
      ]);
  });

  it('refuses the replaced TOKEN_TTL_MINUTES, naming what replaced it, instead of ignoring it', () => {
    const problems = problemsOf({ ...slack, TOKEN_TTL_MINUTES: '60' });
    expect(problems).toEqual([
      expect.stringMatching(/^TOKEN_TTL_MINUTES is no longer read: it was replaced by TOKEN_TTL_HOURS/),
    ]);
    expect(() => loadConfig({ ...slack, TOKEN_TTL_MINUTES: '60' })).toThrow(/replaced by TOKEN_TTL_HOURS/);
  });

  it('requires MAIL_FROM, an address with a domain, with SMTP_URL; without it the outbox uses a local sender', () => {
    const smtp = { ...slack, SMTP_URL: 'smtp://mail.example.com:587' };
    expect(problemsOf(smtp)).toEqual([expect.stringMatching(/^MAIL_FROM is missing: it is required with SMTP_URL/)]);
    expect(problemsOf({ ...smtp, MAIL_FROM: '  ' })).toEqual([expect.stringMatching(/^MAIL_FROM is missing/)]);
    expect(loadConfig({ ...smtp, MAIL_FROM: 'Acme IT <it@acme.example>' }).mailFrom).toBe('Acme IT <it@acme.example>');
    expect(loadConfig({ ...smtp, MAIL_FROM: 'it@acme.example' }).mailFrom).toBe('it@acme.example');
    for (const value of ['Acme IT', 'it@', '<it@acme.example', 'it@acme..example', 'a b@acme.example'])
      expect(problemsOf({ ...smtp, MAIL_FROM: value }), value).toEqual([
        expect.stringMatching(/^MAIL_FROM: must be an email address/),
      ]);
    expect(loadConfig(slack).mailFrom).toBe('Domum <no-reply@localhost>');
  });
});
