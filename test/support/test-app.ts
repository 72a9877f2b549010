// Starts the real app (startDomum) against a fresh test database, a fake Slack Web API on loopback and,
// when asked, an SMTP server on loopback; everything is stopped after the test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { startDomum } from '../../src/main.ts';
import type { ProcessRole, RunningDomum } from '../../src/main.ts';
import { startFakeSlackApi } from './fake-slack-api.ts';
import type { FakeSlackApi } from './fake-slack-api.ts';
import { createSlackDriver } from './slack-driver.ts';
import { createTestDatabase } from './test-database.ts';
import type { TestDatabase } from './test-database.ts';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef0123456789';
/** The sender when a test gives SMTP_URL (which requires MAIL_FROM). */
export const TEST_MAIL_FROM = 'Domum <no-reply@domum.example>';

export interface TestApp {
  running: RunningDomum;
  slackApi: FakeSlackApi;
  slack: ReturnType<typeof createSlackDriver>;
  database: TestDatabase;
  baseUrl: string;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  rawLogs: string[];
}

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

export interface TestAppOptions {
  role?: ProcessRole;
  env?: Record<string, string>;
  now?: () => Date;
  /** PostgreSQL only: route the app's connections differently (e.g. through a TCP proxy that can be cut). */
  wrapDatabaseUrl?: (url: string) => string;
  /** Script the fake Web API before the app starts (e.g. apps.connections.open for Socket Mode). */
  prepareSlackApi?: (api: FakeSlackApi) => void;
  /** PostgreSQL only: start on another app's database, as after a restart. */
  database?: TestDatabase;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const slackApi = await startFakeSlackApi();
  stops.push(() => slackApi.close());
  options.prepareSlackApi?.(slackApi);
  const database = options.database ?? (await createTestDatabase());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'domum-test-'));
  stops.push(() => rm(dataDir, { recursive: true, force: true }));
  const databaseUrl =
    database.databaseUrl && options.wrapDatabaseUrl
      ? options.wrapDatabaseUrl(database.databaseUrl)
      : database.databaseUrl;
  const rawLogs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => rawLogs.push(line) });
  const config = loadConfig({
    SLACK_BOT_TOKEN: slackApi.botToken,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slackApi.url,
    PORT: '0',
    DATA_DIR: dataDir,
    SECRET_KEY: TEST_SECRET_KEY,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    // Required with SMTP_URL (README "Configuration"); the emails' Message-IDs use its domain.
    ...(options.env?.SMTP_URL ? { MAIL_FROM: TEST_MAIL_FROM } : {}),
    ...options.env,
  });
  const running = await startDomum({
    config,
    role: options.role ?? 'all',
    logger,
    databaseTarget: databaseUrl ? { databaseUrl } : database.target,
    ...(options.now ? { now: options.now } : {}),
    jobGraceTimeMs: 2_000,
  });
  stops.push(() => running.stop());
  const baseUrl = `http://127.0.0.1:${running.port}`;
  return {
    running,
    slackApi,
    slack: createSlackDriver({ baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeApi: slackApi }),
    database,
    baseUrl,
    rawLogs,
    get logs() {
      return rawLogs.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
  };
}
