// Imports, their lines, and the third-party users they create.
import { sql } from 'kysely';
import type { NotNull } from 'kysely';
import type { NewUser, VendorForImport } from '../../domain/import-lines.ts';
import type {
  Executor,
  Import,
  ImportSource,
  ImportStatus,
  LineError,
  LineOutcome,
  StoredLineOutcome,
} from '../schema.ts';

export interface NewImportRecord {
  fileName: string;
  fileHash?: string | null;
  importerUserId: string;
  source: ImportSource;
  slackFileId?: string | null;
  channelId?: string | null;
  threadTs?: string | null;
  viewId?: string | null;
  locale?: string | null;
  autoAccess?: boolean;
}

function importValues(record: NewImportRecord, now: Date) {
  return {
    file_name: record.fileName,
    file_hash: record.fileHash ?? null,
    importer_user_id: record.importerUserId,
    source: record.source,
    slack_file_id: record.slackFileId ?? null,
    channel_id: record.channelId ?? null,
    thread_ts: record.threadTs ?? null,
    view_id: record.viewId ?? null,
    locale: record.locale ?? null,
    auto_access: record.autoAccess ?? false,
    updated_at: now,
  };
}

export async function insertImport(db: Executor, record: NewImportRecord, now: Date): Promise<Import> {
  return db.insertInto('imports').values(importValues(record, now)).returningAll().executeTakeFirstOrThrow();
}

/** Path B: one import per uploaded file, whatever how many times Slack delivers the upload. */
export async function insertUploadImportOnce(
  db: Executor,
  record: NewImportRecord,
  now: Date,
): Promise<Import | undefined> {
  return db
    .insertInto('imports')
    .values(importValues({ ...record, source: 'upload' }, now))
    .onConflict((conflict) => conflict.column('slack_file_id').where('source', '=', 'upload').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findImportById(
  db: Executor,
  id: number,
  options: { forUpdate?: boolean } = {},
): Promise<Import | undefined> {
  let query = db.selectFrom('imports').selectAll().where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function findImportByCode(db: Executor, code: string): Promise<Import | undefined> {
  return db.selectFrom('imports').selectAll().where('code', '=', code.toUpperCase()).executeTakeFirst();
}

export async function updateImport(
  db: Executor,
  id: number,
  changes: Partial<{
    status: ImportStatus;
    failureReason: string | null;
    fileHash: string;
    sheetName: string | null;
    headers: string[];
    unknownColumns: string[];
    viewId: string | null;
    previewTs: string | null;
    summaryTs: string | null;
    threadTs: string | null;
    counts: { lines: number; created: number; created_inactive: number; existing: number; error: number };
    finished: boolean;
    autoAccess: boolean;
  }>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('imports')
    .set({
      updated_at: now,
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.failureReason !== undefined ? { failure_reason: changes.failureReason } : {}),
      ...(changes.fileHash !== undefined ? { file_hash: changes.fileHash } : {}),
      ...(changes.sheetName !== undefined ? { sheet_name: changes.sheetName } : {}),
      ...(changes.headers !== undefined ? { headers: JSON.stringify(changes.headers) } : {}),
      ...(changes.unknownColumns !== undefined ? { unknown_columns: changes.unknownColumns } : {}),
      ...(changes.viewId !== undefined ? { view_id: changes.viewId } : {}),
      ...(changes.previewTs !== undefined ? { preview_ts: changes.previewTs } : {}),
      ...(changes.summaryTs !== undefined ? { summary_ts: changes.summaryTs } : {}),
      ...(changes.threadTs !== undefined ? { thread_ts: changes.threadTs } : {}),
      ...(changes.counts
        ? {
            line_count: changes.counts.lines,
            created_count: changes.counts.created,
            created_inactive_count: changes.counts.created_inactive,
            existing_count: changes.counts.existing,
            error_count: changes.counts.error,
          }
        : {}),
      ...(changes.finished !== undefined ? { finished_at: changes.finished ? now : null } : {}),
      ...(changes.autoAccess !== undefined ? { auto_access: changes.autoAccess } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/** The most recent other import of the same bytes, for the "already imported" warning. */
export async function findEarlierImportOfHash(
  db: Executor,
  fileHash: string,
  exceptId: number,
): Promise<Import | undefined> {
  return db
    .selectFrom('imports')
    .selectAll()
    .where('file_hash', '=', fileHash)
    .where('id', '<>', exceptId)
    .where('status', 'in', ['ready', 'importing', 'done'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export interface StoredLine {
  lineNumber: number;
  cells: string[];
  /** The final outcome once the import ran (or `excluded`, once provisioning left it out), the predicted one before. */
  outcome: StoredLineOutcome;
  errors: LineError[];
  userId: number | null;
  /** The vendor of the user the line creates (see import_lines.vendor_id). */
  vendorId?: number | null;
}

/**
 * Rows per bulk statement. Each batch travels as ONE JSON parameter that PostgreSQL unpacks with
 * json_to_recordset: per row, that costs the driver a JSON.stringify instead of a bound parameter per
 * column (or an array literal to escape), which at 50,000 lines is most of the database step's CPU time in
 * this process, where it would delay Slack's acknowledgements. 5,000 rows keep a batch well within work_mem.
 */
const BULK_BATCH = 5_000;

/** Replaces every line of an import (a check that runs twice writes the same lines once). */
export async function replaceImportLines(
  db: Executor,
  importId: number,
  lines: ReadonlyArray<StoredLine & { outcome: LineOutcome }>,
): Promise<void> {
  await db.deleteFrom('import_lines').where('import_id', '=', importId).execute();
  for (let start = 0; start < lines.length; start += BULK_BATCH) {
    const batch = lines.slice(start, start + BULK_BATCH).map((line) => ({
      line_number: line.lineNumber,
      raw: line.cells,
      predicted_outcome: line.outcome,
      errors: line.errors,
      user_id: line.userId,
      vendor_id: line.vendorId ?? null,
    }));
    await sql`
      insert into import_lines (import_id, line_number, raw, predicted_outcome, outcome, errors, user_id, vendor_id)
      select ${importId}, t.line_number, t.raw, t.predicted_outcome, null, t.errors, t.user_id, t.vendor_id
        from json_to_recordset(${JSON.stringify(batch)}::json) as t(line_number int, raw jsonb, predicted_outcome text, errors jsonb, user_id int, vendor_id int)`.execute(
      db,
    );
  }
}

export async function listImportLines(db: Executor, importId: number): Promise<StoredLine[]> {
  const rows = await db
    .selectFrom('import_lines')
    .select(['line_number', 'raw', 'predicted_outcome', 'outcome', 'errors', 'user_id'])
    .where('import_id', '=', importId)
    .orderBy('line_number')
    .execute();
  return rows.map((row) => ({
    lineNumber: row.line_number,
    cells: row.raw as string[],
    outcome: row.outcome ?? row.predicted_outcome,
    errors: row.errors,
    userId: row.user_id,
  }));
}

export async function listErrorLines(
  db: Executor,
  importId: number,
  limit: number,
): Promise<Array<{ lineNumber: number; errors: LineError[] }>> {
  const rows = await db
    .selectFrom('import_lines')
    .select(['line_number', 'errors'])
    .where('import_id', '=', importId)
    .where((eb) => eb.fn.coalesce('outcome', 'predicted_outcome'), '=', 'error')
    .orderBy('line_number')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ lineNumber: row.line_number, errors: row.errors }));
}

/** Final outcomes of an import, written in bulk: one statement per batch, not one per line. */
export async function updateLineOutcomes(
  db: Executor,
  importId: number,
  lines: ReadonlyArray<{ lineNumber: number; outcome: LineOutcome; errors: LineError[]; userId: number | null }>,
): Promise<void> {
  for (let start = 0; start < lines.length; start += BULK_BATCH) {
    const batch = lines.slice(start, start + BULK_BATCH).map((line) => ({
      line_number: line.lineNumber,
      outcome: line.outcome,
      errors: line.errors,
      user_id: line.userId,
    }));
    await sql`
      update import_lines as line
         set outcome = source.outcome, errors = source.errors, user_id = source.user_id
        from json_to_recordset(${JSON.stringify(batch)}::json) as source(line_number int, outcome text, errors jsonb, user_id int)
       where line.import_id = ${importId} and line.line_number = source.line_number`.execute(db);
  }
}

export async function listVendorsForImport(db: Executor): Promise<VendorForImport[]> {
  const rows = await db.selectFrom('vendors').select(['id', 'name', 'enabled', 'email_domains']).execute();
  return rows.map((row) => ({ id: row.id, name: row.name, enabled: row.enabled, emailDomains: row.email_domains }));
}

/** Which of these (lower-case) emails are registered: one query per file, not one per line. */
export async function findRegisteredEmails(db: Executor, emails: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < emails.length; start += 10_000) {
    const batch = emails.slice(start, start + 10_000);
    if (batch.length === 0) continue;
    const { rows } = await sql<{ email: string }>`
      select lower(email) as email from third_party_users where lower(email) = any(${batch}::text[])`.execute(db);
    for (const row of rows) found.add(row.email);
  }
  return found;
}

/**
 * Creates users in bulk. An email registered meanwhile (by another import) is skipped, not updated: the
 * returned map holds only the users this call created, so the caller marks the others `existing`.
 */
export async function insertUsersSkippingRegistered(
  db: Executor,
  importId: number,
  users: readonly NewUser[],
): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  for (let start = 0; start < users.length; start += BULK_BATCH) {
    const batch = users.slice(start, start + BULK_BATCH).map((user) => ({
      vendor_id: user.vendorId,
      name: user.name,
      email: user.email,
      phone: user.phone,
      document: user.document,
      enabled: user.enabled,
    }));
    if (batch.length === 0) continue;
    const { rows } = await sql<{ id: number; email: string }>`
      insert into third_party_users (vendor_id, name, email, phone, document, enabled, import_id)
      select t.vendor_id, t.name, t.email, t.phone, t.document, t.enabled, ${importId}
        from json_to_recordset(${JSON.stringify(batch)}::json) as t(vendor_id int, name text, email text, phone text, document text, enabled boolean)
      on conflict ((lower(email))) do nothing
      returning id, email`.execute(db);
    for (const row of rows) created.set(row.email, row.id);
  }
  return created;
}

/** Users an import already created (a run that is repeated finds its own users here). */
export async function findUsersCreatedByImport(db: Executor, importId: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('third_party_users')
    .select(['id', 'email'])
    .where('import_id', '=', importId)
    .execute();
  return new Map(rows.map((row) => [row.email, row.id]));
}

export async function findUserIdsByEmail(db: Executor, emails: readonly string[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let start = 0; start < emails.length; start += 10_000) {
    const batch = emails.slice(start, start + 10_000);
    if (batch.length === 0) continue;
    const { rows } = await sql<{ id: number; email: string }>`
      select id, lower(email) as email from third_party_users where lower(email) = any(${batch}::text[])`.execute(db);
    for (const row of rows) found.set(row.email, row.id);
  }
  return found;
}

/** The final outcome of each line of an import (null until the import ran). */
export async function listLineOutcomes(db: Executor, importId: number): Promise<Array<StoredLineOutcome | null>> {
  const rows = await db.selectFrom('import_lines').select('outcome').where('import_id', '=', importId).execute();
  return rows.map((row) => row.outcome);
}

/** Sets the outcome of the line that created `userId` (a provisioning step changed what happened to it). */
export async function setLineOutcomeOfUser(
  db: Executor,
  importId: number,
  userId: number,
  outcome: LineOutcome,
  errors: readonly LineError[],
): Promise<void> {
  await db
    .updateTable('import_lines')
    .set({ outcome, errors: JSON.stringify(errors) })
    .where('import_id', '=', importId)
    .where('user_id', '=', userId)
    .execute();
}

/** How many lines of an import ended in error. */
export async function countLinesInError(db: Executor, importId: number): Promise<number> {
  const row = await db
    .selectFrom('import_lines')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('import_id', '=', importId)
    .where('outcome', '=', 'error')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * The users an import created (lines `created`), in line order. Every one at once (an id per line: 50,000
 * lines are 200 KB): paging through import_lines instead costs an index walk per page over the row versions
 * the import's own update left behind, about 25 ms a page.
 */
export async function listCreatedUserIds(db: Executor, importId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('import_lines')
    .select('user_id')
    .where('import_id', '=', importId)
    .where('outcome', '=', 'created')
    .where('user_id', 'is not', null)
    .orderBy('line_number')
    .$narrowType<{ user_id: NotNull }>()
    .execute();
  return rows.map((line) => line.user_id);
}

/**
 * A request's error lines of one cause, in line order: `refusedByMail` lines are those whose user's access the
 * mail server refused (a retry can fix them); the others are errors in the spreadsheet's data. With how many
 * there are in all.
 */
export async function listErrorLinesOfRequest(
  db: Executor,
  input: { importId: number; requestId: number; refusedByMail: boolean; limit: number },
): Promise<{ lines: Array<{ lineNumber: number; errors: LineError[] }>; total: number }> {
  const query = db
    .selectFrom('import_lines as l')
    .leftJoin('accesses as a', (join) =>
      join.onRef('a.user_id', '=', 'l.user_id').on('a.request_id', '=', input.requestId),
    )
    .where('l.import_id', '=', input.importId)
    .where('l.outcome', '=', 'error')
    .where('a.email_error', input.refusedByMail ? 'is not' : 'is', null);
  const rows = await query.select(['l.line_number', 'l.errors']).orderBy('l.line_number').limit(input.limit).execute();
  const count = await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return {
    lines: rows.map((row) => ({ lineNumber: row.line_number, errors: row.errors })),
    total: Number(count.count),
  };
}
