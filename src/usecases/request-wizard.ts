// The batch access request wizard (README, "Importing users" → Automatically provide access after import): a
// draft per import, saved step by step, and Create — which stores the request, starts the import of the users
// and posts the request card, in one transaction.
import type { Transaction } from 'kysely';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { findCredentialsByIds, findDevicesByIds } from '../db/repos/catalog-search-repo.ts';
import { findImportById, updateImport } from '../db/repos/import-repo.ts';
import {
  findDraft,
  findInvolvedVendors,
  findRequestByImport,
  findResumableDrafts,
  insertRequest,
  insertRequestDevices,
  insertRequestGrants,
  insertRequestGroups,
  listEnabledReasons,
  updateDraftData,
  upsertDraft,
} from '../db/repos/request-repo.ts';
import type { DraftRow, InvolvedVendor } from '../db/repos/request-repo.ts';
import type { DatabaseSchema, Db, Import } from '../db/schema.ts';
import { validateLimitation } from '../domain/access-limitation.ts';
import type { LimitationProblem } from '../domain/access-limitation.ts';
import { requestDraftDataSchema } from '../domain/request-draft.ts';
import type { RequestDraftData, WizardStep } from '../domain/request-draft.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { expireRequestQueue, postRequestCardQueue, remindApproversQueue, runImportQueue } from '../jobs/queues.ts';
import { getRoles } from './get-roles.ts';

export const DRAFT_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface WizardDeps {
  db: Db;
  jobs: JobQueue;
  now: () => Date;
  adminUserIds: readonly string[];
  /** APPROVAL_TTL_HOURS: a request with no decision by then expires; approvers are reminded at half of it. */
  approvalTtlHours: number;
}

export type DraftRefusal = 'not-found' | 'expired' | 'not-yours' | 'not-requester' | 'not-ready';
export type DraftAccess =
  { ok: true; draft: DraftRow; data: RequestDraftData; import: Import } | { ok: false; reason: DraftRefusal };

export const DRAFT_REFUSAL_TEXT: Record<DraftRefusal, string> = {
  'not-found': 'This request draft no longer exists. Run /domum import again.',
  expired: 'This request draft expired (drafts are kept 24 hours). Run /domum import again.',
  'not-yours': 'Only the person who started this request can continue it.',
  'not-requester': 'Only requesters can ask for access for the users they import; ask an admin if you need it.',
  'not-ready': 'This import is no longer waiting for a request: it was continued, cancelled or refused.',
};

/** Starts (or resumes) the wizard for a checked import. Only its importer, and only a requester. */
export async function beginRequestDraft(
  deps: WizardDeps,
  input: { importId: number; userId: string; timeZone: string },
): Promise<DraftAccess> {
  const roles = await getRoles({ db: deps.db, adminUserIds: deps.adminUserIds }, input.userId);
  if (!roles.canRequest) return { ok: false, reason: 'not-requester' };
  const record = await findImportById(deps.db, input.importId);
  if (!record) return { ok: false, reason: 'not-found' };
  if (record.importer_user_id !== input.userId) return { ok: false, reason: 'not-yours' };
  if (record.status !== 'ready') return { ok: false, reason: 'not-ready' };
  const draft = await upsertDraft(
    deps.db,
    {
      importId: record.id,
      requesterUserId: input.userId,
      timeZone: input.timeZone,
      expiresAt: new Date(deps.now().getTime() + DRAFT_LIFETIME_MS),
    },
    deps.now(),
  );
  return { ok: true, draft, data: parseDraftData(draft.data), import: record };
}

function parseDraftData(raw: unknown): RequestDraftData {
  const parsed = requestDraftDataSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : {};
}

/** The draft behind a wizard view: private_metadata is user-controlled, so everything is checked again. */
export async function openDraft(deps: WizardDeps, draftId: string, userId: string): Promise<DraftAccess> {
  const draft = await findDraft(deps.db, draftId);
  if (!draft) return { ok: false, reason: 'not-found' };
  if (draft.requesterUserId !== userId) return { ok: false, reason: 'not-yours' };
  if (draft.expiresAt.getTime() <= deps.now().getTime()) return { ok: false, reason: 'expired' };
  const roles = await getRoles({ db: deps.db, adminUserIds: deps.adminUserIds }, userId);
  if (!roles.canRequest) return { ok: false, reason: 'not-requester' };
  const record = await findImportById(deps.db, draft.importId);
  if (!record) return { ok: false, reason: 'not-found' };
  if (record.status !== 'ready') return { ok: false, reason: 'not-ready' };
  return { ok: true, draft, data: parseDraftData(draft.data), import: record };
}

export async function saveDraft(
  deps: Pick<WizardDeps, 'db' | 'now'>,
  draftId: string,
  data: RequestDraftData,
): Promise<void> {
  await updateDraftData(deps.db, draftId, data, deps.now());
}

export interface WizardContext {
  reasons: Array<{ id: number; name: string }>;
  vendors: InvolvedVendor[];
  governanceRequired: boolean;
  /** The earliest contract end among the vendors of the users who will get access. */
  contractEnd: string | null;
  activeUsers: number;
}

export async function loadWizardContext(db: Db, record: Import): Promise<WizardContext> {
  const [reasons, vendors] = await Promise.all([listEnabledReasons(db), findInvolvedVendors(db, record.id)]);
  const ends = vendors
    .map((vendor) => vendor.contractEnd)
    .filter((end): end is string => end !== null)
    .sort();
  return {
    reasons,
    vendors,
    governanceRequired: vendors.some((vendor) => vendor.governanceRequired),
    contractEnd: ends[0] ?? null,
    activeUsers: record.created_count,
  };
}

export type CreateResult =
  | { ok: true; requestId: number; code: string; alreadyCreated: boolean }
  | { ok: false; reason: DraftRefusal }
  | { ok: false; reason: 'incomplete'; step: WizardStep; message: string }
  | { ok: false; reason: 'invalid-limitation'; problems: LimitationProblem[] };

export async function createAccessRequest(deps: WizardDeps, draftId: string, userId: string): Promise<CreateResult> {
  // A second Create (double click, Slack retry) finds the request the first one made, and makes no other.
  const previous = await findDraft(deps.db, draftId);
  if (previous && previous.requesterUserId === userId) {
    const existing = await findRequestByImport(deps.db, previous.importId);
    if (existing) return { ok: true, requestId: existing.id, code: existing.code, alreadyCreated: true };
  }
  const access = await openDraft(deps, draftId, userId);
  if (!access.ok) return access;
  const checked = await checkDraft(deps, access.data, access.import);
  if (!checked.ok) return checked;
  return storeRequest(deps, access.import, userId, checked.request);
}

type CreateRefusal = Extract<CreateResult, { ok: false }>;

/** A draft with every step filled in and checked against the catalog, and the groups that will decide it. */
interface CheckedRequest {
  general: NonNullable<RequestDraftData['general']>;
  limitation: NonNullable<RequestDraftData['limitation']>;
  grants: NonNullable<RequestDraftData['grants']>;
  deviceIds: Set<number>;
  groupIds: number[];
}

function incomplete(step: WizardStep, message: string): CreateRefusal {
  return { ok: false, reason: 'incomplete', step, message };
}

async function checkDraft(
  deps: WizardDeps,
  data: RequestDraftData,
  record: Import,
): Promise<{ ok: true; request: CheckedRequest } | CreateRefusal> {
  if (!data.general) return incomplete('general', 'Fill in the General step.');
  if (!data.deviceIds?.length) return incomplete('devices', 'Choose at least one device.');
  if (!data.grants?.length) return incomplete('credentials', 'Choose at least one credential.');
  if (!data.limitation) return incomplete('limitation', 'Fill in the Access limitation step.');
  const context = await loadWizardContext(deps.db, record);
  if (context.governanceRequired && !data.general.governanceCode)
    return incomplete('general', 'A governance code is required for these vendors.');
  const problems = validateLimitation(data.limitation, { now: deps.now(), contractEnd: context.contractEnd });
  if (problems.length > 0) return { ok: false, reason: 'invalid-limitation', problems };
  const choices = await checkCatalogChoices(deps.db, data.deviceIds, data.grants);
  if (!choices.ok) return choices;
  const { general, limitation, grants } = data;
  const groupIds = [...new Set(context.vendors.map((vendor) => vendor.accessGroupId))];
  return { ok: true, request: { general, limitation, grants, deviceIds: choices.deviceIds, groupIds } };
}

/** The chosen devices and credentials still exist, and every credential is of a chosen device. */
async function checkCatalogChoices(
  db: Db,
  chosenDeviceIds: readonly number[],
  grants: NonNullable<RequestDraftData['grants']>,
): Promise<{ ok: true; deviceIds: Set<number> } | CreateRefusal> {
  const devices = await findDevicesByIds(db, chosenDeviceIds);
  const credentials = await findCredentialsByIds(
    db,
    grants.map((grant) => grant.credentialId),
  );
  const deviceIds = new Set(devices.map((device) => device.id));
  if (devices.length !== new Set(chosenDeviceIds).size)
    return incomplete('devices', 'A chosen device no longer exists; choose again.');
  if (credentials.length !== grants.length || credentials.some((credential) => !deviceIds.has(credential.device_id)))
    return incomplete('credentials', 'Choose credentials of the chosen devices only.');
  if (grants.some((grant) => !grant.startSession && !grant.viewPassword))
    return incomplete('credentials', 'Every credential needs Start session, View password or both.');
  return { ok: true, deviceIds };
}

/** Create itself, in one transaction with the import's row locked: the request, its import, its jobs. */
async function storeRequest(
  deps: WizardDeps,
  record: Import,
  userId: string,
  { general, limitation, grants, deviceIds, groupIds }: CheckedRequest,
): Promise<CreateResult> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await findImportById(trx, record.id, { forUpdate: true });
    const existing = await findRequestByImport(trx, record.id);
    if (existing) return { ok: true as const, requestId: existing.id, code: existing.code, alreadyCreated: true };
    if (!locked || locked.status !== 'ready') return { ok: false as const, reason: 'not-ready' as const };
    const deadlines = approvalDeadlines(deps);
    const request = await insertRequest(
      trx,
      {
        importId: record.id,
        requesterUserId: userId,
        justification: general.justification,
        reasonId: general.reasonId,
        governanceCode: general.governanceCode,
        limitation,
        channelId: locked.channel_id,
        threadTs: locked.thread_ts,
        approvalDeadline: deadlines.expiry,
      },
      deps.now(),
    );
    await insertRequestDevices(trx, request.id, [...deviceIds]);
    await insertRequestGrants(trx, request.id, grants);
    // Who decides is fixed now: the access groups of the vendors whose users will get access.
    await insertRequestGroups(trx, request.id, groupIds);
    await updateImport(trx, record.id, { status: 'importing', autoAccess: true }, deps.now());
    await enqueueRequestJobs(deps, trx, { importId: record.id, requestId: request.id, deadlines });
    await recordAuditEvent(trx, {
      actor: userId,
      action: 'request.created',
      target: request.code,
      details: { import: record.code, devices: deviceIds.size, credentials: grants.length },
    });
    return { ok: true as const, requestId: request.id, code: request.code, alreadyCreated: false };
  });
}

/** The reminder at half the approval TTL and the expiry at its end, counted from now. */
function approvalDeadlines(deps: Pick<WizardDeps, 'now' | 'approvalTtlHours'>): { reminder: Date; expiry: Date } {
  const ttlMs = deps.approvalTtlHours * 3600 * 1000;
  const created = deps.now().getTime();
  return { reminder: new Date(created + ttlMs / 2), expiry: new Date(created + ttlMs) };
}

/** The import of the users, the card, and the approval deadlines, queued with the request. */
async function enqueueRequestJobs(
  deps: WizardDeps,
  trx: Transaction<DatabaseSchema>,
  input: { importId: number; requestId: number; deadlines: { reminder: Date; expiry: Date } },
): Promise<void> {
  const { importId, requestId, deadlines } = input;
  await deps.jobs.enqueue(trx, runImportQueue, { importId });
  await deps.jobs.enqueue(trx, postRequestCardQueue, { requestId });
  // Scheduled in the database with the request itself, so a restart changes nothing.
  await deps.jobs.enqueue(
    trx,
    remindApproversQueue,
    { requestId },
    { startAfter: deadlines.reminder, singletonKey: `remind-${requestId}` },
  );
  await deps.jobs.enqueue(
    trx,
    expireRequestQueue,
    { requestId },
    { startAfter: deadlines.expiry, singletonKey: `expire-${requestId}` },
  );
}

/** A requester's drafts that `/domum import` offers to resume. */
export function listResumableDrafts(deps: Pick<WizardDeps, 'db' | 'now'>, requesterUserId: string) {
  return findResumableDrafts(deps.db, requesterUserId, deps.now());
}
