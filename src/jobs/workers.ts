// Maps each queue of the table to the handler that runs its jobs (one file per queue under src/jobs/).
import type { AppDeps } from '../app-deps.ts';
import {
  accessLifecycleJob,
  ACCESS_LIFECYCLE_CRON,
  handOverEndWarningsJob,
  remindAccessesEndJob,
  tellAccessesOfTheirEndJob,
} from './access-lifecycle-jobs.ts';
import { announceExtensionJob, applyExtensionJob, expireExtensionJob } from './extension-jobs.ts';
import { announceCancellationJob } from './announce-cancellation-job.ts';
import { checkImportJob } from './check-import-job.ts';
import type { JobQueue } from './job-queue.ts';
import { postRequestCardJob } from './post-request-card-job.ts';
import {
  accessEndNoticesQueue,
  accessEndWarningsQueue,
  accessLifecycleQueue,
  announceExtensionQueue,
  applyExtensionQueue,
  expireExtensionQueue,
  announceCancellationQueue,
  checkImportQueue,
  expireRequestQueue,
  postRequestCardQueue,
  provisionRequestQueue,
  remindAccessesEndQueue,
  remindApproversQueue,
  requestDecidedQueue,
  runImportQueue,
  sendAccessEmailsQueue,
  sendNewTokenQueue,
} from './queues.ts';
import { provisionRequestJob, sendAccessEmailsJob } from './provisioning-jobs.ts';
import { expireRequestJob, remindApproversJob } from './request-deadline-jobs.ts';
import { requestDecidedJob } from './request-decided-job.ts';
import { runImportJob } from './run-import-job.ts';
import { sendNewTokenJob } from './send-new-token-job.ts';

export async function startWorkers(jobs: JobQueue, deps: AppDeps): Promise<void> {
  await jobs.work(checkImportQueue, checkImportJob(deps));
  await jobs.work(runImportQueue, runImportJob(deps));
  await jobs.work(postRequestCardQueue, postRequestCardJob(deps));
  await jobs.work(requestDecidedQueue, requestDecidedJob(deps));
  await jobs.work(remindApproversQueue, remindApproversJob(deps));
  await jobs.work(expireRequestQueue, expireRequestJob(deps));
  await jobs.work(provisionRequestQueue, provisionRequestJob(deps));
  await jobs.work(sendAccessEmailsQueue, sendAccessEmailsJob(deps));
  await jobs.work(sendNewTokenQueue, sendNewTokenJob(deps));
  await jobs.work(announceCancellationQueue, announceCancellationJob(deps));
  await jobs.work(accessLifecycleQueue, accessLifecycleJob(deps));
  await jobs.work(remindAccessesEndQueue, remindAccessesEndJob(deps));
  await jobs.work(accessEndWarningsQueue, handOverEndWarningsJob(deps));
  await jobs.work(accessEndNoticesQueue, tellAccessesOfTheirEndJob(deps));
  await jobs.work(announceExtensionQueue, announceExtensionJob(deps));
  await jobs.work(applyExtensionQueue, applyExtensionJob(deps));
  await jobs.work(expireExtensionQueue, expireExtensionJob(deps));
  await jobs.schedule(accessLifecycleQueue, ACCESS_LIFECYCLE_CRON);
}
