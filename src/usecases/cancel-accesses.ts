// `/domum cancel <W…|EXT-…>` (issue 8): the kill switch for a batch, or for one access. The requester of the
// request or an admin may cancel; to anyone else a code they may not cancel looks exactly like an unknown one.
// One transaction with the request row locked (then the access row), so two clicks or two submissions cancel
// once: the second finds the work done and says so. The thread, the card and the requester are told by a job
// enqueued in the same transaction.
import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { transitionRequest } from '../db/repos/request-repo.ts';
import type { AccessStatus, DatabaseSchema, Db, Executor, RequestStatus } from '../db/schema.ts';
import { parseItemCode } from '../domain/codes.ts';
import { ACCESS_STATUS_WORDS, REQUEST_STATUS_WORDS } from '../domain/status-words.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { announceCancellationQueue } from '../jobs/queues.ts';
import { cancelPendingRequest } from './request-deadlines.ts';

/** Slack's limit on a text input, and the database's on a cancellation's reason. */
export const CANCEL_REASON_MAX = 3000;

/** What a cancellation stops: accesses that have not finished (an access in error is stopped too). */
export const OPEN_ACCESS_STATUSES: readonly AccessStatus[] = ['scheduled', 'active', 'error'];

export type CancelTarget = { kind: 'request' | 'access'; code: string };

/** `W000123` or `EXT-26-000487`, in any case; anything else (an import's code included) is not a target. */
export function parseCancelTarget(text: string): CancelTarget | undefined {
  const parsed = parseItemCode(text);
  return parsed && parsed.kind !== 'import' ? { kind: parsed.kind, code: parsed.code } : undefined;
}

export interface CancelActor {
  userId: string;
  isAdmin: boolean;
}

export type CancelPlan =
  | {
      ok: true;
      kind: 'request';
      requestId: number;
      code: string;
      status: RequestStatus;
      fileName: string;
      requesterUserId: string;
      /** Accesses the cancellation stops (0 while awaiting approval, or before provisioning created them). */
      openAccesses: number;
    }
  | {
      ok: true;
      kind: 'access';
      requestId: number;
      accessId: number;
      code: string;
      requestCode: string;
      status: AccessStatus;
      userName: string;
      vendorName: string;
      requesterUserId: string;
    };

export type CancelRefusal =
  /** Unknown, or not the caller's to cancel: the same answer, so a stranger learns nothing about the code. */
  | { ok: false; reason: 'not-found'; code: string }
  | { ok: false; reason: 'already-cancelled'; code: string }
  | { ok: false; reason: 'nothing-to-cancel'; code: string; kind: 'request' | 'access'; statusWord: string };

/**
 * What cancelling `target` would do, or why it cannot. With `lock`, inside a transaction, the rows are locked
 * (the request first, then the access: every writer of both takes them in that order).
 */
export async function planCancellation(
  db: Executor,
  target: CancelTarget,
  actor: CancelActor,
  options: { lock?: boolean } = {},
): Promise<CancelPlan | CancelRefusal> {
  const notFound = { ok: false as const, reason: 'not-found' as const, code: target.code };
  const mayCancel = (requesterUserId: string) => requesterUserId === actor.userId || actor.isAdmin;
  if (target.kind === 'request') {
    const request = await db
      .selectFrom('access_requests as r')
      .innerJoin('imports as i', 'i.id', 'r.import_id')
      .select(['r.id', 'r.code', 'r.status', 'r.requester_user_id', 'i.file_name'])
      .where('r.code', '=', target.code)
      .$if(options.lock === true, (query) => query.forUpdate('r'))
      .executeTakeFirst();
    if (!request || !mayCancel(request.requester_user_id)) return notFound;
    if (request.status === 'cancelled') return { ok: false, reason: 'already-cancelled', code: request.code };
    if (request.status === 'rejected' || request.status === 'expired') {
      return {
        ok: false,
        reason: 'nothing-to-cancel',
        code: request.code,
        kind: 'request',
        statusWord: REQUEST_STATUS_WORDS[request.status],
      };
    }
    const open = await db
      .selectFrom('accesses')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('request_id', '=', request.id)
      .where('status', 'in', [...OPEN_ACCESS_STATUSES])
      .executeTakeFirstOrThrow();
    const openAccesses = Number(open.count);
    // A provisioned request whose accesses have all ended (or were cancelled one by one) has nothing to stop.
    if ((request.status === 'completed' || request.status === 'completed_with_errors') && openAccesses === 0) {
      return {
        ok: false,
        reason: 'nothing-to-cancel',
        code: request.code,
        kind: 'request',
        statusWord: REQUEST_STATUS_WORDS[request.status],
      };
    }
    return {
      ok: true,
      kind: 'request',
      requestId: request.id,
      code: request.code,
      status: request.status,
      fileName: request.file_name,
      requesterUserId: request.requester_user_id,
      openAccesses,
    };
  }
  const found = await db
    .selectFrom('accesses')
    .select(['id', 'request_id'])
    .where('code', '=', target.code)
    .executeTakeFirst();
  if (!found) return notFound;
  const request = await db
    .selectFrom('access_requests')
    .select(['id', 'code', 'requester_user_id'])
    .where('id', '=', found.request_id)
    .$if(options.lock === true, (query) => query.forUpdate())
    .executeTakeFirstOrThrow();
  if (!mayCancel(request.requester_user_id)) return notFound;
  const access = await db
    .selectFrom('accesses as a')
    .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
    .innerJoin('vendors as v', 'v.id', 'u.vendor_id')
    .select(['a.id', 'a.code', 'a.status', 'u.name as user_name', 'v.name as vendor_name'])
    .where('a.id', '=', found.id)
    .$if(options.lock === true, (query) => query.forUpdate('a'))
    .executeTakeFirstOrThrow();
  if (access.status === 'cancelled') return { ok: false, reason: 'already-cancelled', code: access.code };
  if (access.status === 'finished')
    return {
      ok: false,
      reason: 'nothing-to-cancel',
      code: access.code,
      kind: 'access',
      statusWord: ACCESS_STATUS_WORDS[access.status],
    };
  return {
    ok: true,
    kind: 'access',
    requestId: request.id,
    accessId: access.id,
    code: access.code,
    requestCode: request.code,
    status: access.status,
    userName: access.user_name,
    vendorName: access.vendor_name,
    requesterUserId: request.requester_user_id,
  };
}

/**
 * Every access of the request not yet finished or cancelled becomes cancelled: its link stops working (the
 * landing page refuses a cancelled access) and its token is forgotten. One audit event per access, written by
 * the same statement, so a batch of 50,000 costs one round trip. Returns how many were cancelled.
 */
export async function cancelOpenAccesses(
  trx: Transaction<DatabaseSchema>,
  input: { requestId: number; actor: string; now: Date; details: Record<string, unknown> },
): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    with cancelled as (
      update accesses
         set status = 'cancelled', cancelled_at = ${input.now}, token_hash = null, token_expires_at = null, updated_at = now()
       where request_id = ${input.requestId} and status in ('scheduled', 'active', 'error')
       returning code),
    audited as (
      insert into audit_events (actor, action, target, details)
      select ${input.actor}, 'access.cancelled', code, ${JSON.stringify(input.details)}::jsonb from cancelled
      returning 1)
    select count(*)::int as count from audited`.execute(trx);
  return rows[0]?.count ?? 0;
}

export interface CancelDeps {
  db: Db;
  jobs: JobQueue;
  now: () => Date;
}

export type CancelResult =
  | {
      ok: true;
      kind: 'request' | 'access';
      code: string;
      accessCount: number;
      previousStatus: RequestStatus | AccessStatus;
      cancellationId: number;
    }
  | CancelRefusal
  | { ok: false; reason: 'reason-required'; code: string }
  | { ok: false; reason: 'reason-too-long'; code: string };

export async function cancelAccesses(
  deps: CancelDeps,
  input: { target: CancelTarget; actor: CancelActor; reason: string },
): Promise<CancelResult> {
  const reason = input.reason.trim();
  if (!reason) return { ok: false, reason: 'reason-required', code: input.target.code };
  if ([...reason].length > CANCEL_REASON_MAX) return { ok: false, reason: 'reason-too-long', code: input.target.code };
  return deps.db.transaction().execute(async (trx): Promise<CancelResult> => {
    const plan = await planCancellation(trx, input.target, input.actor, { lock: true });
    if (!plan.ok) return plan;
    const now = deps.now();
    const actor = input.actor.userId;
    let accessCount: number;
    let accessId: number | null = null;
    if (plan.kind === 'request' && plan.status === 'awaiting_approval') {
      // Nobody has access yet: the same as "Cancel request" on the card, with the reason recorded.
      await cancelPendingRequest(trx, {
        requestId: plan.requestId,
        code: plan.code,
        actor,
        now,
        details: { reason, accesses: 0 },
      });
      accessCount = 0;
    } else if (plan.kind === 'request') {
      accessCount = await cancelOpenAccesses(trx, {
        requestId: plan.requestId,
        actor,
        now,
        details: { reason, request: plan.code },
      });
      // Provisioning sees the status and stops: no further access is created, no further email sent.
      await transitionRequest(trx, plan.requestId, 'cancelled', now);
      await recordAuditEvent(trx, {
        actor,
        action: 'request.cancelled',
        target: plan.code,
        details: { reason, accesses: accessCount, previousStatus: plan.status },
      });
    } else {
      await trx
        .updateTable('accesses')
        .set({
          status: 'cancelled',
          cancelled_at: now,
          token_hash: null,
          token_expires_at: null,
          updated_at: now,
        })
        .where('id', '=', plan.accessId)
        .execute();
      await recordAuditEvent(trx, {
        actor,
        action: 'access.cancelled',
        target: plan.code,
        details: { reason, request: plan.requestCode },
      });
      accessCount = 1;
      accessId = plan.accessId;
    }
    const cancellation = await trx
      .insertInto('cancellations')
      .values({
        request_id: plan.requestId,
        access_id: accessId,
        cancelled_by: actor,
        reason,
        previous_status: plan.status,
        access_count: accessCount,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await deps.jobs.enqueue(trx, announceCancellationQueue, { cancellationId: cancellation.id });
    return {
      ok: true,
      kind: plan.kind,
      code: plan.code,
      accessCount,
      previousStatus: plan.status,
      cancellationId: cancellation.id,
    };
  });
}
