// pg-boss on the application's database, in its own schema. Jobs are enqueued inside the caller's Kysely
// transaction (pg-boss's Kysely adapter), so a rolled-back write never leaves a job behind and a committed
// one always has its job.
import { PgBoss, fromKysely } from 'pg-boss';
import type { Job, SendOptions } from 'pg-boss';
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { DatabaseHandle } from '../db/client.ts';
import type { DatabaseSchema } from '../db/schema.ts';
import { withLogContext } from '../logger.ts';
import type { Logger } from '../logger.ts';
import type { QueueDefinition } from './queue-definition.ts';

export const JOB_SCHEMA = 'pgboss';

/**
 * Every running job refreshes a heartbeat every HEARTBEAT_SECONDS / 2; a job whose heartbeat is older than
 * this (its process was killed, or lost the database for that long) is retried by any worker's supervisor.
 * Without it a killed worker's jobs would wait out their whole expireInSeconds (up to an hour). 10 s is
 * pg-boss's minimum.
 */
export const HEARTBEAT_SECONDS = 10;
/** How often a worker's supervisor looks for such jobs (pg-boss's default is a minute). */
const SUPERVISE_INTERVAL_SECONDS = 5;

export type JobOptions = Omit<SendOptions, 'db'>;

export interface JobContext {
  jobId: string;
  retryCount: number;
  /** No retry follows if this attempt fails: the handler's last chance to leave a useful final state. */
  isLastAttempt: boolean;
  /**
   * Aborted when this worker no longer holds the job: its heartbeat found it retried elsewhere (the database
   * was unreachable for longer than the heartbeat), or the process is shutting down. A handler checks it
   * before a side effect that must not happen twice, such as sending an email. Absent when a test calls a
   * handler directly.
   */
  signal?: AbortSignal;
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
    superviseIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
    monitorIntervalSeconds: SUPERVISE_INTERVAL_SECONDS,
  });
  // pg-boss reports connection trouble as 'error' events; unhandled they would crash the process while
  // PostgreSQL restarts, so they are logged and pg-boss keeps retrying.
  boss.on('error', (error: Error) => logger.warn('job queue error', { error: error.message }));
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
  return {
    boss,
    start: async () => {
      await boss.start();
      if (options.runsWorkers && 'backend' in handle.bossConnection) await retryOrphanedJobs(handle, boss, logger);
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
          try {
            for (const job of jobs) await runJob(queue, handler, job, logger);
          } finally {
            wakeWorkers(boss, queue.name);
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
 * A job just ended: the queue's workers in this process fetch again now rather than after their poll interval.
 * Jobs queued together (one transaction, one NOTIFY, like a request's email chunks) would otherwise wait for it
 * one by one: a worker that finishes a job sleeps out `notifyPollingIntervalSeconds` before its next fetch,
 * and NOTIFY only wakes workers when jobs are queued. The worker that ran the job skips its sleep too.
 */
function wakeWorkers(boss: PgBoss, queueName: string): void {
  for (const worker of boss.getWipData()) if (worker.name === queueName) boss.notifyWorker(worker.id);
}

/** Runs one fetched job: its payload checked against the queue's schema, its log lines carrying its id. */
async function runJob<Payload>(
  queue: QueueDefinition<Payload>,
  handler: JobHandler<Payload>,
  job: Job<unknown>,
  logger: Logger,
): Promise<void> {
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
      handler(parsed.data, { jobId: job.id, retryCount, isLastAttempt, signal: job.signal, logger: jobLogger }),
    );
  } catch (error) {
    // pg-boss keeps the failure in the job's row only: the logs say it too.
    jobLogger.warn(isLastAttempt ? 'job failed; no retry is left' : 'job failed; it will be retried', {
      retryCount,
      error,
    });
    throw error;
  }
}

/**
 * The embedded database belongs to one process at a time (its lock file), so when that process starts,
 * every job still marked active was left by a previous life that was killed: hand them back at once
 * (as failed attempts, retried after their backoff) rather than after their heartbeat times out.
 */
async function retryOrphanedJobs(handle: DatabaseHandle, boss: PgBoss, logger: Logger): Promise<void> {
  const { rows } = await sql<{
    id: string;
    name: string;
  }>`select id, name from ${sql.table(`${JOB_SCHEMA}.job`)} where state = 'active'`.execute(handle.db);
  const byQueue = new Map<string, string[]>();
  for (const row of rows) byQueue.set(row.name, [...(byQueue.get(row.name) ?? []), row.id]);
  for (const [name, ids] of byQueue) {
    await boss.fail(name, ids, { message: 'the process running this job stopped before it finished' });
    logger.warn('retrying jobs left running by a stopped process', { queue: name, jobs: ids.length });
  }
}

/**
 * Installs or upgrades pg-boss's schema (`migrate`) and creates or updates every declared queue, with a
 * short-lived instance, BEFORE the process's own instance starts. That instance then finds every queue in
 * its cache from the start: a cache miss inside `enqueue` would make pg-boss read the queue through its own
 * connection, which on the embedded database waits for the caller's open transaction — forever.
 */
export async function prepareJobQueues(
  handle: DatabaseHandle,
  options: { migrate: boolean; queues: readonly QueueDefinition<unknown>[] },
): Promise<void> {
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
      const { policy = 'standard', ...settings } = { heartbeatSeconds: HEARTBEAT_SECONDS, ...definition.policy };
      const queue = existing.get(definition.name);
      if (!queue) {
        await boss.createQueue(definition.name, { ...settings, policy });
        continue;
      }
      // pg-boss keeps a queue's policy for its life (it is a unique index over its jobs): a different policy
      // needs a queue of another name, not a silent mismatch.
      if (queue.policy !== policy)
        throw new Error(`queue ${definition.name} has policy ${queue.policy}, declared ${policy}: rename the queue`);
      await boss.updateQueue(definition.name, settings);
    }
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
}
