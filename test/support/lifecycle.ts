// The access lifecycle's tick, run on demand: tests move the app's clock, then tick.
import { expect } from 'vitest';
import type { TestApp } from './test-app.ts';
import { waitFor } from './wait-for.ts';

/** Runs the lifecycle job once (as the schedule does every minute) and waits until it has completed. */
export async function tick(app: TestApp): Promise<void> {
  const boss = app.running.deps.jobs.boss;
  const id = await boss.send('access.lifecycle', {});
  expect(id).toBeTruthy();
  const state = await waitFor(
    async () => {
      const [job] = await boss.findJobs('access.lifecycle', { id: id as string });
      return job && ['completed', 'failed'].includes(job.state) ? job.state : undefined;
    },
    { description: 'the lifecycle tick', timeoutMs: 15_000 },
  );
  expect(state).toBe('completed');
}

/** Waits until every job of a queue has completed (none left to run or retry). */
export async function queueSettled(app: TestApp, queue: string): Promise<void> {
  await waitFor(
    async () =>
      (await app.running.deps.jobs.boss.findJobs(queue)).every((job) => ['completed', 'failed'].includes(job.state)),
    { description: `the ${queue} jobs to finish`, timeoutMs: 15_000 },
  );
}
