// Jobs are enqueued inside the caller's transaction: a rollback leaves no job behind, a commit always has
// its job. Runs on PostgreSQL (TEST_DATABASE_URL) and on the embedded PGlite default.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createJobQueue, prepareJobQueues } from '../../src/jobs/job-queue.ts';
import type { JobQueue } from '../../src/jobs/job-queue.ts';
import { defineQueue } from '../../src/jobs/queue-definition.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';

const exampleQueue = defineQueue({
  name: 'test.example',
  payload: z.object({ importId: z.number().int().positive() }),
  policy: { retryLimit: 0 },
});

const quiet = createLogger({ level: 'error', write: () => undefined });
const started: JobQueue[] = [];
afterEach(async () => {
  for (const jobs of started.splice(0)) await jobs.stop(1_000);
});

async function setUp(runsWorkers = false) {
  const database = await (await createTestDatabase()).open();
  await prepareJobQueues(database, { migrate: false, queues: [exampleQueue] });
  const jobs = createJobQueue(database, quiet, { runsWorkers, pollingIntervalSeconds: 0.5 });
  await jobs.start();
  started.push(jobs);
  return { database, jobs };
}

class IntendedRollback extends Error {}

describe('enqueueing inside a transaction', () => {
  it('leaves no job behind when the transaction rolls back', async () => {
    const { database, jobs } = await setUp();
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('audit_events').values({ actor: 'U0TEST', action: 'test.enqueue' }).execute();
        await jobs.enqueue(trx, exampleQueue, { importId: 7 });
        throw new IntendedRollback('roll back');
      }),
    ).rejects.toBeInstanceOf(IntendedRollback);
    expect(await jobs.boss.findJobs(exampleQueue.name)).toEqual([]);
    expect(await database.db.selectFrom('audit_events').selectAll().execute()).toEqual([]);
  });

  it('keeps the job when the transaction commits', async () => {
    const { database, jobs } = await setUp();
    await database.db.transaction().execute(async (trx) => {
      await jobs.enqueue(trx, exampleQueue, { importId: 8 });
    });
    const found = await jobs.boss.findJobs(exampleQueue.name);
    expect(found.map((job) => job.data)).toEqual([{ importId: 8 }]);
  });

  it('refuses a payload that does not match the queue schema, writing nothing', async () => {
    const { database, jobs } = await setUp();
    await expect(
      database.db.transaction().execute(async (trx) => {
        await jobs.enqueue(trx, exampleQueue, { importId: -1 });
      }),
    ).rejects.toThrow();
    expect(await jobs.boss.findJobs(exampleQueue.name)).toEqual([]);
  });

  it('runs a committed job in a worker with its parsed payload', async () => {
    const { database, jobs } = await setUp(true);
    const seen: number[] = [];
    await jobs.work(exampleQueue, (payload) => {
      seen.push(payload.importId);
      return Promise.resolve();
    });
    await database.db.transaction().execute(async (trx) => {
      await jobs.enqueue(trx, exampleQueue, { importId: 9 });
    });
    await waitFor(() => seen.length === 1, { description: 'the job to run', timeoutMs: 10_000 });
    expect(seen).toEqual([9]);
  });
});
