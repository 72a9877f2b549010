// Composition root: configuration → database → jobs → Slack and web → start; and a clean shutdown in reverse.
import { WebClient } from '@slack/web-api';
import type { Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import type { DatabaseHandle, DatabaseTarget } from './db/client.ts';
import { migrateAll } from './db/migrator.ts';
import { createJobQueue, prepareJobQueues } from './jobs/job-queue.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import { queues } from './jobs/queues.ts';
import { startWorkers } from './jobs/workers.ts';
import { toSlackLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import { createMailer } from './mail/mailer.ts';
import { slackClientOptions } from './slack/client-options.ts';
import { resolveSecretKey } from './secret-key.ts';
import type { AppDeps } from './app-deps.ts';
import { SLACK_EVENTS_PATH } from './slack/ids.ts';
import { createApproverGroups } from './slack/usergroup-members.ts';
import { createSlackAdapter } from './slack/slack-app.ts';
import { createSlackImportFiles } from './slack/slack-files.ts';
import { createSlackNotifier } from './slack/slack-notifier.ts';
import { sheetJsSpreadsheets } from './spreadsheet/spreadsheets.ts';
import type { SlackAdapter } from './slack/slack-app.ts';
import { healthRoutes } from './web/health-routes.ts';
import { landingPageRoutes } from './web/landing-page.ts';
import { startWebServer } from './web/web-server.ts';
import type { WebServer } from './web/web-server.ts';

/** `all` = `domum start`; `web` and `worker` are the two halves for running several of each. */
export type ProcessRole = 'all' | 'web' | 'worker';

export interface RunningDomum {
  port: number;
  deps: AppDeps;
  database: DatabaseHandle;
  slack: SlackAdapter | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  role: ProcessRole;
  logger: Logger;
  /** Tests: an embedded database loaded from a migrated dump, or kept in memory. */
  databaseTarget?: Partial<DatabaseTarget>;
  now?: () => Date;
  /** How long running jobs get to finish on shutdown before they are handed back. */
  jobGraceTimeMs?: number;
}

export async function startDomum(options: StartOptions): Promise<RunningDomum> {
  const { config, role, logger } = options;
  const database = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...options.databaseTarget },
    logger,
  );
  const cleanups: Array<() => Promise<void>> = [() => database.close()];
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      for (const cleanup of [...cleanups].reverse()) {
        await cleanup().catch((error: unknown) => logger.warn('shutdown step failed', { error }));
      }
    })();
    return stopping;
  };
  try {
    if (role === 'all') await migrateAll(database, logger);
    else await prepareJobQueues(database, { migrate: false, queues });
    const secretKey = await resolveSecretKey(config.secretKey, config.dataDir);
    const configWithKey: Config = { ...config, secretKey };
    // Closed after the jobs stop (cleanups run in reverse), so a job finishing its emails still has it.
    const mailer = createMailer({
      smtpUrl: config.smtpUrl,
      from: config.mailFrom,
      dataDir: config.dataDir,
      ratePerSecond: config.mailRatePerSecond,
      logger: logger.child({ component: 'mail' }),
    });
    cleanups.push(() => mailer.close());
    const jobs: JobQueue = createJobQueue(database, logger.child({ component: 'jobs' }), {
      runsWorkers: role !== 'web',
    });
    await jobs.start();
    cleanups.push(() => jobs.stop(options.jobGraceTimeMs));
    const slackClient = new WebClient(
      config.slack.botToken,
      slackClientOptions(config.slack.apiUrl, toSlackLogger(logger.child({ component: 'slack' }), config.logLevel)),
    );
    const deps: AppDeps = {
      config: configWithKey,
      db: database.db,
      jobs,
      logger,
      now: options.now ?? (() => new Date()),
      slack: slackClient,
      mailer,
      approverGroups: createApproverGroups(slackClient, logger.child({ component: 'slack' }), options.now),
      notifier: createSlackNotifier(slackClient),
      files: createSlackImportFiles(slackClient, config.slack.botToken),
      spreadsheets: sheetJsSpreadsheets,
    };

    let slack: SlackAdapter | undefined;
    if (role !== 'worker') slack = await createSlackAdapter(deps);
    let shuttingDown = false;
    const web: WebServer = await startWebServer({
      port: config.port,
      routes: [
        ...healthRoutes({ ping: () => database.ping(), isShuttingDown: () => shuttingDown }),
        ...landingPageRoutes({
          db: database.db,
          jobs,
          now: deps.now,
          secretKey: () => secretKey,
          publicBaseUrl: config.publicBaseUrl,
        }),
      ],
      slackEventsPath: SLACK_EVENTS_PATH,
      slackEvents: slack?.eventsListener,
      logger: logger.child({ component: 'web' }),
      limits: config.http,
    });
    // Stop taking work first (web, then Slack's socket), then let running jobs finish, then close the pools.
    cleanups.push(async () => {
      shuttingDown = true;
      await web.close();
    });
    if (slack) {
      await slack.start();
      const started = slack;
      cleanups.push(() => started.stop());
    }
    if (role !== 'web') await startWorkers(jobs, deps);
    logger.info('domum started', {
      role,
      port: web.port,
      database: database.kind,
      slackMode: role === 'worker' ? 'none' : config.slack.socketMode ? 'socket' : 'http',
    });
    return { port: web.port, deps, database, slack, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
