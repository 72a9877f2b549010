// The queue table: every queue the app uses, with its payload schema and retry policy, declared once.
// Producers enqueue through these definitions; src/jobs/workers.ts maps each one to its handler.
import { z } from 'zod';
import { defineQueue } from './queue-definition.ts';
import type { QueueDefinition } from './queue-definition.ts';

const importPayload = z.object({ importId: z.number().int().positive() });

/** Download a spreadsheet, check every line, store the dry run and show the preview. */
export const checkImportQueue = defineQueue({
  name: 'import.check',
  payload: importPayload,
  // A Slack outage should not fail a check for good: retry with backoff for about half an hour.
  policy: { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 600 },
  concurrency: 2,
});

/** Create the users of a continued import and reply with the summary. */
export const runImportQueue = defineQueue({
  name: 'import.run',
  payload: importPayload,
  policy: { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 1800 },
  concurrency: 1,
});

/** Post a new batch access request's card in the import's channel (threaded under the upload, if any). */
export const postRequestCardQueue = defineQueue({
  name: 'request.card',
  payload: z.object({ requestId: z.number().int().positive() }),
  policy: { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  concurrency: 2,
});

/** After a decision: update the card in place, reply in the thread, tell the requester of a status change. */
export const requestDecidedQueue = defineQueue({
  name: 'request.decided',
  // status: the request's status right after the decision, for the requester's DM (provisioning may have
  // moved it on by the time this job runs).
  payload: z.object({
    requestId: z.number().int().positive(),
    responseIds: z.array(z.number().int().positive()),
    status: z.string().optional(),
  }),
  policy: { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  concurrency: 2,
});

const requestPayload = z.object({ requestId: z.number().int().positive() });

/** At half the approval TTL: remind the approvers still missing, once, in the thread. */
// Scheduled jobs come due later, when no NOTIFY wakes anyone: their workers poll at the base interval.
export const remindApproversQueue = defineQueue({
  name: 'request.remind',
  payload: requestPayload,
  policy: { notify: false, retryLimit: 8, retryDelay: 10, retryBackoff: true, retryDelayMax: 600 },
});

/** At the approval TTL: a request nobody decided on becomes expired. */
export const expireRequestQueue = defineQueue({
  name: 'request.expire',
  payload: requestPayload,
  policy: { notify: false, retryLimit: 8, retryDelay: 10, retryBackoff: true, retryDelayMax: 600 },
});

/** An approved request's accesses, then one access.emails job per chunk. */
export const provisionRequestQueue = defineQueue({
  name: 'request.provision',
  payload: requestPayload,
  policy: {
    retryLimit: 20,
    retryDelay: 30,
    retryBackoff: true,
    retryDelayMax: 900,
    expireInSeconds: 3600,
    retentionSeconds: 30 * 24 * 3600,
  },
});

/** The two first-access emails of a chunk of accesses (one job per chunk, not per line). */
export const sendAccessEmailsQueue = defineQueue({
  name: 'access.emails',
  payload: z.object({
    requestId: z.number().int().positive(),
    accessIds: z.array(z.number().int().positive()).min(1).max(1000),
  }),
  // Transient SMTP failures retry with backoff for about an hour before the job is given up.
  policy: { retryLimit: 12, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 1800 },
  concurrency: 2,
});

/**
 * "Send me a new token" on the landing page: the page only enqueues this job, the same work for every link
 * id, and the job checks the link, applies the limits, sends and stores the new token. Keyed by the link id
 * (singletonKey) under the `exclusive` policy: at most one job per link waiting, retrying or running, so a
 * flood of presses adds nothing.
 */
export const sendNewTokenQueue = defineQueue({
  name: 'access.new-token',
  // The landing page's own link id pattern (src/web/landing-page.ts): unknown ids are jobs too.
  payload: z.object({ linkId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
  // Transient mail errors retry with backoff for about half an hour; every attempt counts towards the
  // access's ten a day (src/usecases/resend-token.ts), which ends a long outage's retries sooner.
  policy: {
    policy: 'exclusive',
    retryLimit: 8,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 300,
  },
  concurrency: 2,
});

/** After `/domum cancel`: the thread reply, the card, the requester's DM (each once). */
export const announceCancellationQueue = defineQueue({
  name: 'cancellation.announce',
  payload: z.object({ cancellationId: z.number().int().positive() }),
  policy: { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  concurrency: 2,
});

/**
 * Every minute (a pg-boss schedule): accesses move scheduled → active → finished at their instants, and the
 * requests whose accesses end within a day get their reminder job. A missed tick is caught up by the next.
 */
export const accessLifecycleQueue = defineQueue({
  name: 'access.lifecycle',
  payload: z.object({}),
  policy: { retryLimit: 1, retryDelay: 10, expireInSeconds: 600 },
  concurrency: 1,
});

/** The requester's DM a day before a request's accesses end (one per request, not per user). */
export const remindAccessesEndQueue = defineQueue({
  name: 'request.end-reminder',
  payload: requestPayload,
  policy: { retryLimit: 8, retryDelay: 10, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 300 },
  concurrency: 2,
});

/**
 * Replaced by access.end-notices (a queue keeps its policy for life, and that one runs one job per request at a
 * time). Kept so that jobs an older version queued here are handed over rather than lost.
 */
export const accessEndWarningsQueue = defineQueue({
  name: 'access.end-warnings',
  payload: z.object({ requestId: z.number().int().positive(), afterId: z.number().int().nonnegative() }),
  policy: { retryLimit: 12, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 1800 },
  concurrency: 1,
});

/**
 * What the users of a request's accesses are told by email of their end: the warning a day before it, and, when
 * the end moved after they were told of it (`/domum extend`), the new end — a chunk of emails per run, then the
 * next run. Queued by the lifecycle tick and by an applied extension, keyed by the request (`end-notices-<id>`)
 * under the `stately` policy: one job per request runs at a time and at most one waits, so two runs never send
 * the same email at once, and a run queued while another works picks up whatever that one left.
 */
export const accessEndNoticesQueue = defineQueue({
  name: 'access.end-notices',
  payload: z.object({ requestId: z.number().int().positive() }),
  // Transient SMTP failures retry with backoff for about an hour; the day of notice leaves room for that.
  policy: {
    policy: 'stately',
    retryLimit: 12,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 1800,
  },
  concurrency: 1,
});

const extensionPayload = z.object({ extensionId: z.number().int().positive() });

/**
 * After an extension is asked for, decided, applied, expired or cancelled: its card posted or updated, each
 * decision and the outcome said once in the request's thread, the people concerned told once by DM. Keyed by the
 * extension (`extension-<id>`) under the `stately` policy: two decisions at once queue two jobs, which run one
 * after the other, so the second finds the first's replies recorded.
 */
export const announceExtensionQueue = defineQueue({
  name: 'extension.announce',
  payload: extensionPayload,
  policy: {
    policy: 'stately',
    retryLimit: 8,
    retryDelay: 5,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 300,
  },
  concurrency: 2,
});

/** An approved extension's new end, written to the request and every access in force of it. */
export const applyExtensionQueue = defineQueue({
  name: 'extension.apply',
  payload: extensionPayload,
  policy: { retryLimit: 8, retryDelay: 5, retryBackoff: true, retryDelayMax: 600, expireInSeconds: 900 },
  concurrency: 1,
});

/** At its deadline, an extension nobody decided expires. */
export const expireExtensionQueue = defineQueue({
  name: 'extension.expire',
  payload: extensionPayload,
  policy: { notify: false, retryLimit: 8, retryDelay: 10, retryBackoff: true, retryDelayMax: 600 },
});

export const queues: readonly QueueDefinition<unknown>[] = [
  checkImportQueue,
  runImportQueue,
  postRequestCardQueue,
  requestDecidedQueue,
  remindApproversQueue,
  expireRequestQueue,
  provisionRequestQueue,
  sendAccessEmailsQueue,
  sendNewTokenQueue,
  announceCancellationQueue,
  accessLifecycleQueue,
  remindAccessesEndQueue,
  accessEndWarningsQueue,
  accessEndNoticesQueue,
  announceExtensionQueue,
  applyExtensionQueue,
  expireExtensionQueue,
] as QueueDefinition<unknown>[];
