// pg-boss on the application's database, in its own schema. Jobs are enqueued inside the caller's Kysely
// transaction (pg-boss's Kysely adapter), so a rolled-back write never leaves a job behind and a committed
// one always has its job.
import { PgBoss, fromKysely } from 'pg-boss';
import type { Job, SendOptions } from 'pg-boss';
import type { Transaction } from 'kysely';
import type { DatabaseHandle } from '../db/client.ts';
import type { DatabaseSchema } from '../db/schema.ts';
import { withLogContext } from '../logger.ts';
import type { Logger } from '../logger.ts';
import type { QueueDefinition } from './queue-definition.ts';

export const JOB_SCHEMA = 'pgboss';

export type JobOptions = Omit<SendOptions, 'db'>;

export interface JobContext {
  jobId: string;
  retryCount: number;
  /** No retry follows if this attempt fails: the handler's last chance to leave a useful final state. */
  isLastAttempt: boolean;
  logger: Logger;
}

export type JobHandler<Payload> = (payload: Payload, context: JobContext) => Promise<void>;

export interface JobQueue {
  readonly boss: PgBoss;
  start(): Promise<void>;
  enqueue<Payload>(
    transaction: Transaction<DatabaseSchema>,
    queue: QueueDefinition<Payload>,
    payload: Payload,
    options?: JobOptions,
  ): Promise<string | null>;
  work<Payload>(queue: QueueDefinition<Payload>, handler: JobHandler<Payload>): Promise<void>;
  /**
   * A job with an empty payload on `queue` at every occurrence of `cron` (UTC). Stored in the database: every
   * worker process may declare it, and one job per occurrence is created whatever the number of processes.
   */
  schedule<Payload>(queue: QueueDefinition<Payload>, cron: string): Promise<void>;
  /** Stops fetching; running jobs get `graceTimeMs` to finish, the rest are handed back by expiry. */
  stop(graceTimeMs?: number): Promise<void>;
}

export interface JobQueueOptions {
  /** Worker processes supervise and run schedules; web-only processes only enqueue. */
  runsWorkers: boolean;
  pollingIntervalSeconds?: number;
}

export function createJobQueue(handle: DatabaseHandle, logger: Logger, options: JobQueueOptions): JobQueue {
  const boss = new PgBoss({
    ...handle.bossConnection,
    schema: JOB_SCHEMA,
    application_name: 'domum-jobs',
    supervise: options.runsWorkers,
    schedule: options.runsWorkers,
    // Migrations run in `domum migrate` / `domum start`, never as a side effect of a web replica starting.
    migrate: false,
    useListenNotify: options.runsWorkers,
  });
  // pg-boss reports connection trouble as 'error' events; unhandled they would crash the process while
  // PostgreSQL restarts, so they are logged and pg-boss keeps retrying.
  boss.on('error', (error: Error) => logger.warn('job queue error', { error: error.message }));
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
  return {
    boss,
    start: async () => {
      await boss.start();
    },
    enqueue: async (transaction, queue, payload, sendOptions) => {
      const data = queue.payload.parse(payload) as object;
      return boss.send(queue.name, data, { ...sendOptions, db: fromKysely(transaction) });
    },
    work: async (queue, handler) => {
      await boss.work<unknown>(
        queue.name,
        // A retried job (after its backoff) is not announced by NOTIFY either: the backstop poll stays short.
        { batchSize: 1, localConcurrency: queue.concurrency, pollingIntervalSeconds, notifyPollingIntervalSeconds: 5 },
        async (jobs: Job<unknown>[]) => {
          for (const job of jobs) {
            const jobLogger = logger.child({ jobId: job.id, queue: queue.name });
            const parsed = queue.payload.safeParse(job.data);
            if (!parsed.success) {
              // A payload that no longer matches its schema will never succeed: fail it loudly, once.
              jobLogger.error('job payload does not match its queue schema', { issues: parsed.error.issues });
              throw new Error(`invalid payload for ${queue.name}`);
            }
            const retryCount = job.retryCount ?? 0;
            const isLastAttempt = retryCount >= (queue.policy.retryLimit ?? 2);
            try {
              // Every line logged while the job runs carries its id, whichever logger writes it (the mailer's, Slack's).
              await withLogContext({ jobId: job.id, queue: queue.name }, () =>
                handler(parsed.data, { jobId: job.id, retryCount, isLastAttempt, logger: jobLogger }),
              );
            } catch (error) {
              // pg-boss keeps the failure in the job's row only: the logs say it too.
              jobLogger.warn(isLastAttempt ? 'job failed; no retry is left' : 'job failed; it will be retried', { retryCount, error });
              throw error;
            }
          }
        },
      );
    },
    schedule: async (queue, cron) => {
      await boss.schedule(queue.name, cron, queue.payload.parse({}) as object, { tz: 'UTC' });
    },
    stop: async (graceTimeMs = 30_000) => {
      await boss.stop({ graceful: true, timeout: graceTimeMs, close: true });
    },
  };
}

/**
 * Installs or upgrades pg-boss's schema (`migrate`) and creates or updates every declared queue, with a
 * short-lived instance, BEFORE the process's own instance starts. That instance then finds every queue in
 * its cache from the start: a cache miss inside `enqueue` would make pg-boss read the queue through its own
 * connection, which on the embedded database waits for the caller's open transaction — forever.
 */
export async function prepareJobQueues(handle: DatabaseHandle, options: { migrate: boolean; queues: readonly QueueDefinition<unknown>[] }): Promise<void> {
  const boss = new PgBoss({
    ...handle.bossConnection,
    schema: JOB_SCHEMA,
    supervise: false,
    schedule: false,
    migrate: options.migrate,
  });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    const existing = new Map((await boss.getQueues()).map((queue) => [queue.name, queue]));
    for (const definition of options.queues) {
      if (existing.has(definition.name)) await boss.updateQueue(definition.name, definition.policy);
      else await boss.createQueue(definition.name, definition.policy);
    }
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
}
