// Composition root: configuration → database → jobs → Slack and web → start; and a clean shutdown in reverse.
import { WebClient } from '@slack/web-api';
import type { Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import type { DatabaseHandle, DatabaseTarget } from './db/client.ts';
import { migrateAll } from './db/migrator.ts';
import { createJobQueue, prepareJobQueues } from './jobs/job-queue.ts';
import { queues } from './jobs/queues.ts';
import { startWorkers } from './jobs/workers.ts';
import { toSlackLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import { createMailer } from './mail/mailer.ts';
import type { Mailer } from './mail/mailer.ts';
import { slackClientOptions } from './slack/client-options.ts';
import { resolveSecretKey } from './secret-key.ts';
import type { AppDeps } from './app-deps.ts';
import { SLACK_EVENTS_PATH } from './slack/ids.ts';
import { createApproverGroups } from './slack/usergroup-members.ts';
import { createRequesterDirectory } from './slack/requester-directory.ts';
import { createSlackAdapter } from './slack/slack-app.ts';
import { createSlackImportFiles } from './slack/slack-files.ts';
import { createSlackNotifier } from './slack/slack-notifier.ts';
import { createEmailSender } from './usecases/email-lanes.ts';
import { sheetJsSpreadsheets } from './spreadsheet/spreadsheets.ts';
import type { SlackAdapter } from './slack/slack-app.ts';
import { healthRoutes } from './web/health-routes.ts';
import { landingPageRoutes } from './web/landing-page.ts';
import { startWebServer } from './web/web-server.ts';
import type { Route, WebServer } from './web/web-server.ts';

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
  const shutdown = shutdownSequence(logger);
  shutdown.add(() => database.close());
  try {
    if (role === 'all') await migrateAll(database, logger);
    else await prepareJobQueues(database, { migrate: false, queues });
    const secretKey = await resolveSecretKey(config.secretKey, config.dataDir);
    // Closed after the jobs stop (the steps run in reverse), so a job finishing its emails still has it.
    const mailer = createMailerFor(config, logger);
    shutdown.add(() => mailer.close());
    const jobs = createJobQueue(database, logger.child({ component: 'jobs' }), { runsWorkers: role !== 'web' });
    await jobs.start();
    shutdown.add(() => jobs.stop(options.jobGraceTimeMs));
    const slackClient = createSlackClient(config, logger);
    const deps: AppDeps = {
      config: { ...config, secretKey },
      db: database.db,
      jobs,
      logger,
      now: options.now ?? (() => new Date()),
      slack: slackClient,
      mailer,
      emailSender: createEmailSender(database.db, mailer, config.smtpConnections),
      ...slackDirectories(slackClient, config, logger, options.now),
      notifier: createSlackNotifier(slackClient),
      files: createSlackImportFiles(slackClient, config.slack.botToken),
      spreadsheets: sheetJsSpreadsheets,
    };

    const slack = role !== 'worker' ? await createSlackAdapter(deps) : undefined;
    let shuttingDown = false;
    const web: WebServer = await startWebServer({
      port: config.port,
      routes: webRoutes(database, deps, secretKey, () => shuttingDown),
      slackEventsPath: SLACK_EVENTS_PATH,
      slackEvents: slack?.eventsListener,
      logger: logger.child({ component: 'web' }),
      limits: config.http,
    });
    // Stop taking work first (web, then Slack's socket), then let running jobs finish, then close the pools.
    shutdown.add(async () => {
      shuttingDown = true;
      await web.close();
    });
    if (slack) {
      await slack.start();
      shutdown.add(() => slack.stop());
    }
    if (role !== 'web') await startWorkers(jobs, deps);
    logger.info('domum started', { role, port: web.port, database: database.kind, slackMode: slackMode(role, config) });
    return { port: web.port, deps, database, slack, stop: shutdown.run };
  } catch (error) {
    await shutdown.run();
    throw error;
  }
}

/**
 * The steps of a clean shutdown, run in the reverse order they were added (the last thing started stops
 * first), once however often it is asked for; a step that fails is logged and the next one still runs.
 */
function shutdownSequence(logger: Logger) {
  const steps: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  return {
    add: (step: () => Promise<void>): void => {
      steps.push(step);
    },
    run: (): Promise<void> => {
      stopping ??= (async () => {
        for (const step of [...steps].reverse()) {
          await step().catch((error: unknown) => logger.warn('shutdown step failed', { error }));
        }
      })();
      return stopping;
    },
  };
}

function slackMode(role: ProcessRole, config: Config): 'none' | 'socket' | 'http' {
  if (role === 'worker') return 'none';
  return config.slack.socketMode ? 'socket' : 'http';
}

function createMailerFor(config: Config, logger: Logger): Mailer {
  return createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    dataDir: config.dataDir,
    ratePerSecond: config.mailRatePerSecond,
    connections: config.smtpConnections,
    logger: logger.child({ component: 'mail' }),
  });
}

/** What jobs and listeners read from Slack about people: approver groups' members, requesters' names. */
function slackDirectories(
  client: WebClient,
  config: Config,
  logger: Logger,
  now: (() => Date) | undefined,
): Pick<AppDeps, 'approverGroups' | 'describeRequester'> {
  const slackLogger = logger.child({ component: 'slack' });
  return {
    approverGroups: createApproverGroups(client, slackLogger, now),
    describeRequester: createRequesterDirectory(client, slackLogger, config.organisationName, now),
  };
}

function createSlackClient(config: Config, logger: Logger): WebClient {
  return new WebClient(
    config.slack.botToken,
    slackClientOptions(config.slack.apiUrl, toSlackLogger(logger.child({ component: 'slack' }), config.logLevel)),
  );
}

function webRoutes(database: DatabaseHandle, deps: AppDeps, secretKey: string, isShuttingDown: () => boolean): Route[] {
  return [
    ...healthRoutes({ ping: () => database.ping(), isShuttingDown }),
    ...landingPageRoutes({
      db: database.db,
      jobs: deps.jobs,
      now: deps.now,
      secretKey: () => secretKey,
      publicBaseUrl: deps.config.publicBaseUrl,
      supportContact: deps.config.supportContact,
      defaultTimeZone: deps.config.defaultTimeZone,
    }),
  ];
}
