// What the app is made of, built once by the composition root (src/main.ts) and handed to every adapter: Slack
// listeners, jobs and the web routes. Listeners stay thin: parse, call a use case, render, reply.
import type { WebClient } from '@slack/web-api';
import type { Config } from './config.ts';
import type { Db } from './db/schema.ts';
import type { JobQueue } from './jobs/job-queue.ts';
import type { Logger } from './logger.ts';
import type { Mailer } from './mail/mailer.ts';
import type { DescribeRequester } from './usecases/access-emails.ts';
import type { EmailSender } from './usecases/email-lanes.ts';
import type { ImportFiles } from './usecases/import-files.ts';
import type { Notifier } from './usecases/notifier.ts';
import type { Spreadsheets } from './usecases/spreadsheets.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  jobs: JobQueue;
  logger: Logger;
  now: () => Date;
  /** Web API client for background work, separate from Bolt's so a 429 pause never stalls an interaction. */
  slack: WebClient;
  /** SMTP (SMTP_URL) or .eml files under DATA_DIR/outbox. */
  mailer: Mailer;
  /** Sends and records access emails, SMTP_CONNECTIONS at a time, for every email job of the process. */
  emailSender: EmailSender;
  /**
   * Members of a Slack user group: `cached` (up to 5 minutes old) for what is only shown, `current` (read from
   * Slack at each call) for deciding. Built once per process (slack/usergroup-members.ts), so all share one cache.
   */
  approverGroups: Record<'cached' | 'current', (usergroupId: string) => Promise<string[]>>;
  /** How use cases and jobs tell people what happened (on Slack: src/slack/slack-notifier.ts). */
  notifier: Notifier;
  /** Who asked for an access, as its emails name them (on Slack: src/slack/requester-directory.ts). */
  describeRequester: DescribeRequester;
  /** Uploaded spreadsheets' bytes (on Slack: src/slack/slack-files.ts). */
  files: ImportFiles;
  /** Reading spreadsheets and writing the results spreadsheet (src/spreadsheet/spreadsheets.ts). */
  spreadsheets: Spreadsheets;
}

/** What sending an access's emails needs (provisioning and resends): one place reads it from the config. */
export function accessMailDeps(deps: AppDeps) {
  return {
    db: deps.db,
    mailer: deps.mailer,
    now: deps.now,
    secretKey: deps.config.secretKey ?? '',
    publicBaseUrl: deps.config.publicBaseUrl,
    tokenTtlHours: deps.config.tokenTtlHours,
    describeRequester: deps.describeRequester,
    supportContact: deps.config.supportContact,
    emailSender: deps.emailSender,
  };
}
