// Drafts of batch access requests, the requests themselves, and what a request needs from the catalog.
import { sql } from 'kysely';
import type { Executor } from '../schema.ts';

export interface DraftRow {
  id: string;
  importId: number;
  requesterUserId: string;
  timeZone: string;
  data: unknown;
  expiresAt: Date;
}

function toDraft(row: {
  id: string;
  import_id: number;
  requester_user_id: string;
  time_zone: string;
  data: unknown;
  expires_at: Date;
}): DraftRow {
  return {
    id: row.id,
    importId: row.import_id,
    requesterUserId: row.requester_user_id,
    timeZone: row.time_zone,
    data: row.data,
    expiresAt: row.expires_at,
  };
}

/** One draft per import: starting the wizard again resumes it (and gives it a new expiry). */
export async function upsertDraft(
  db: Executor,
  input: { importId: number; requesterUserId: string; timeZone: string; expiresAt: Date },
): Promise<DraftRow> {
  const row = await db
    .insertInto('request_drafts')
    .values({
      import_id: input.importId,
      requester_user_id: input.requesterUserId,
      time_zone: input.timeZone,
      expires_at: input.expiresAt,
      updated_at: new Date(),
    })
    .onConflict((conflict) =>
      conflict.column('import_id').doUpdateSet({ expires_at: input.expiresAt, updated_at: new Date() }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toDraft(row);
}

export async function findDraft(db: Executor, draftId: string): Promise<DraftRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(draftId)) return undefined;
  const row = await db.selectFrom('request_drafts').selectAll().where('id', '=', draftId).executeTakeFirst();
  return row ? toDraft(row) : undefined;
}

export async function updateDraftData(db: Executor, draftId: string, data: unknown): Promise<void> {
  await db
    .updateTable('request_drafts')
    .set({ data: JSON.stringify(data), updated_at: new Date() })
    .where('id', '=', draftId)
    .execute();
}

export async function deleteDraft(db: Executor, draftId: string): Promise<void> {
  await db.deleteFrom('request_drafts').where('id', '=', draftId).execute();
}

export interface InvolvedVendor {
  vendorId: number;
  vendorName: string;
  contractEnd: string | null;
  accessGroupId: number;
  accessGroupName: string;
  governanceRequired: boolean;
  approvalsRequired: number;
}

/** The vendors of the users who will get access (lines predicted `created`), with their access groups. */
export async function findInvolvedVendors(
  db: Executor,
  importId: number,
  vendorColumnIndex: number,
): Promise<InvolvedVendor[]> {
  const { rows } = await sql<{
    vendor_id: number;
    vendor_name: string;
    contract_end: string | null;
    access_group_id: number;
    access_group_name: string;
    governance_required: boolean;
    approvals_required: number;
  }>`
    select v.id as vendor_id, v.name as vendor_name, v.contract_end, g.id as access_group_id, g.name as access_group_name,
           g.governance_required, g.approvals_required
      from vendors v join access_groups g on g.id = v.access_group_id
     where lower(v.name) in (select distinct lower(l.raw ->> ${vendorColumnIndex}::int) from import_lines l
                              where l.import_id = ${importId} and l.predicted_outcome = 'created')
     order by v.name`.execute(db);
  return rows.map((row) => ({
    vendorId: row.vendor_id,
    vendorName: row.vendor_name,
    contractEnd: row.contract_end,
    accessGroupId: row.access_group_id,
    accessGroupName: row.access_group_name,
    governanceRequired: row.governance_required,
    approvalsRequired: row.approvals_required,
  }));
}

export async function listEnabledReasons(db: Executor): Promise<Array<{ id: number; name: string }>> {
  return db.selectFrom('reasons').select(['id', 'name']).where('enabled', '=', true).orderBy('name').execute();
}

/** Unexpired drafts of a requester whose import still waits for its request, newest first. */
export async function findResumableDrafts(
  db: Executor,
  requesterUserId: string,
  now: Date,
): Promise<Array<{ id: string; fileName: string; importCode: string }>> {
  const rows = await db
    .selectFrom('request_drafts as d')
    .innerJoin('imports as i', 'i.id', 'd.import_id')
    .select(['d.id', 'i.file_name', 'i.code'])
    .where('d.requester_user_id', '=', requesterUserId)
    .where('d.expires_at', '>', now)
    .where('i.status', '=', 'ready')
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('access_requests as r').select('r.id').whereRef('r.import_id', '=', 'i.id'))),
    )
    .orderBy('d.updated_at', 'desc')
    .limit(3)
    .execute();
  return rows.map((row) => ({ id: row.id, fileName: row.file_name, importCode: row.code }));
}
