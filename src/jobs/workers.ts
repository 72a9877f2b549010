// Maps each queue of the table to the handler that runs its jobs (one file per queue under src/jobs/).
import type { AppDeps } from '../slack/deps.ts';
import type { JobQueue } from './job-queue.ts';

export async function startWorkers(_jobs: JobQueue, _deps: AppDeps): Promise<void> {
  // Each queue added to queues.ts registers its handler here: await jobs.work(queue, handler(deps)).
}
