// Every line logged while a Slack request or a job is handled carries its id, whichever logger writes it
// (the Slack Web API client's, the mailer's, a use case's), and a failed job attempt is logged. Real Bolt
// app and real pg-boss; runs on PostgreSQL (TEST_DATABASE_URL) and on the embedded PGlite default.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createJobQueue, prepareJobQueues } from '../../src/jobs/job-queue.ts';
import type { JobQueue } from '../../src/jobs/job-queue.ts';
import { defineQueue } from '../../src/jobs/queue-definition.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestApp } from '../support/test-app.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { waitFor } from '../support/wait-for.ts';

type Line = Record<string, unknown>;

describe('a Slack request', () => {
  it('gives its id to every line logged while it is handled, the Web API client lines included', async () => {
    const app = await startTestApp({ env: { LOG_LEVEL: 'debug' } });
    const requestLines = () => app.logs.filter((line) => line.message === 'slack request');
    for (const attempt of [1, 2]) {
      const before = app.logs.length;
      await app.slack.command({ text: 'template', userId: 'U0ADMIN01' });
      // The template is uploaded after the ack: wait for the last Web API call of this request.
      await waitFor(() =>
        app.logs.slice(before).some((line) => line.message === "apiCall('files.completeUploadExternal') end"),
      );
      const lines = app.logs.slice(before);
      const [start] = lines.filter((line) => line.message === 'slack request');
      expect(start?.requestId, `request ${attempt}`).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
      const apiLines = lines.filter((line) => String(line.message).startsWith('apiCall('));
      expect(apiLines.length).toBeGreaterThanOrEqual(4);
      for (const line of apiLines) expect(line.requestId, String(line.message)).toBe(start?.requestId);
    }
    const ids = requestLines().map((line) => line.requestId);
    expect(new Set(ids).size, 'each request has its own id').toBe(ids.length);
    expect(
      app.logs.filter((line) => line.message === 'domum started').map((line) => line.requestId),
      'lines outside a request carry none',
    ).toEqual([undefined]);
  });
});

describe('a job', () => {
  const retriedQueue = defineQueue({
    name: 'test.log-retried',
    payload: z.object({ n: z.number() }),
    policy: { retryLimit: 1 },
  });
  const lastQueue = defineQueue({
    name: 'test.log-last',
    payload: z.object({ n: z.number() }),
    policy: { retryLimit: 0 },
  });
  const started: JobQueue[] = [];
  afterEach(async () => {
    for (const jobs of started.splice(0)) await jobs.stop(1_000);
  });

  it('gives its id to lines of loggers created elsewhere, and a failed attempt is logged with the error', async () => {
    const database = await (await createTestDatabase()).open();
    const lines: Line[] = [];
    const root = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Line) });
    // Like the mailer's: created once at start, never handed the job's logger.
    const elsewhere = root.child({ component: 'mailer' });
    await prepareJobQueues(database, { migrate: false, queues: [retriedQueue, lastQueue] as never[] });
    const jobs = createJobQueue(database, root.child({ component: 'jobs' }), {
      runsWorkers: true,
      pollingIntervalSeconds: 0.5,
    });
    await jobs.start();
    started.push(jobs);
    for (const queue of [retriedQueue, lastQueue]) {
      await jobs.work(queue, async ({ n }, context) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        elsewhere.info('mail sent', { n, attempt: context.retryCount });
        throw new Error(`SMTP said 421 for ${n} (smtp://domum:hunter2@mail.example:587)`);
      });
    }
    const retriedId = await database.db.transaction().execute((trx) => jobs.enqueue(trx, retriedQueue, { n: 1 }));
    const lastId = await database.db.transaction().execute((trx) => jobs.enqueue(trx, lastQueue, { n: 2 }));
    const failures = () => lines.filter((line) => String(line.message).startsWith('job failed'));
    await waitFor(
      () => failures().some((line) => line.jobId === retriedId) && failures().some((line) => line.jobId === lastId),
    );

    const sent = lines.filter((line) => line.message === 'mail sent');
    expect(sent.find((line) => line.n === 1)).toMatchObject({
      jobId: retriedId,
      queue: retriedQueue.name,
      component: 'mailer',
      attempt: 0,
    });
    expect(sent.find((line) => line.n === 2)).toMatchObject({
      jobId: lastId,
      queue: lastQueue.name,
      component: 'mailer',
      attempt: 0,
    });
    const retried = failures().find((line) => line.jobId === retriedId);
    expect(retried).toMatchObject({
      level: 'warn',
      message: 'job failed; it will be retried',
      queue: retriedQueue.name,
      retryCount: 0,
    });
    expect(failures().find((line) => line.jobId === lastId)).toMatchObject({
      level: 'warn',
      message: 'job failed; no retry is left',
      queue: lastQueue.name,
      retryCount: 0,
    });
    expect(JSON.stringify(retried)).toContain('SMTP said 421 for 1');
    expect(JSON.stringify(failures()), 'the password in the URL is masked').not.toContain('hunter2');
    root.info('after the jobs');
    expect(lines.at(-1)?.jobId, 'lines outside a job carry none').toBeUndefined();
  });
});
