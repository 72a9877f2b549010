// The users approvers left out of a request with "Approve except…" (README "Importing users", Approval), by
// the import line that brings each one in (migrations/0010_excluded_users.sql says why a line, not a user). A
// line's user is "to be given access" while the line is `created` (predicted by the dry run, then as imported);
// once provisioning starts, an excluded one becomes `excluded`. Functions take the executor first.
import { sql } from 'kysely';
import type { Executor } from '../schema.ts';
import { matchesEveryWord } from './catalog-search-repo.ts';

/** Where a line's Name and Email are among its cells (the import's header order). */
export interface LineColumns {
  name: number | undefined;
  email: number | undefined;
}

/** One user of a request, as the line that brings them in shows them. */
export interface RequestLine {
  lineNumber: number;
  name: string;
  email: string;
  vendorName: string;
}

/** The import of a request, with its headers (to find the Name and Email cells of its lines). */
export async function findRequestImport(
  db: Executor,
  requestId: number,
): Promise<{ importId: number; headers: string[] } | undefined> {
  const row = await db
    .selectFrom('access_requests as r')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .select(['i.id', 'i.headers'])
    .where('r.id', '=', requestId)
    .executeTakeFirst();
  return row ? { importId: row.id, headers: row.headers } : undefined;
}

/** A cell of the line's raw cells by index ('' when the file has no such column). */
function cell(index: number | undefined) {
  return index === undefined ? sql<string>`''` : sql<string>`coalesce(l.raw ->> ${index}::int, '')`;
}

const TO_BE_GIVEN_ACCESS = sql<boolean>`coalesce(l.outcome, l.predicted_outcome) = 'created'`;

function requestLines(db: Executor, importId: number, columns: LineColumns) {
  return db
    .selectFrom('import_lines as l')
    .innerJoin('vendors as v', 'v.id', 'l.vendor_id')
    .select(['l.line_number', cell(columns.name).as('name'), cell(columns.email).as('email'), 'v.name as vendor_name'])
    .where('l.import_id', '=', importId);
}

function toRequestLine(row: { line_number: number; name: string; email: string; vendor_name: string }): RequestLine {
  return { lineNumber: row.line_number, name: row.name.trim(), email: row.email.trim(), vendorName: row.vendor_name };
}

/**
 * The users a request is to give access to whose name, email or vendor contain every word (`patterns`: see
 * wordPatterns), in line order, at most `limit`.
 */
export async function searchLinesToBeGivenAccess(
  db: Executor,
  search: { importId: number; columns: LineColumns; patterns: string[]; limit: number },
): Promise<RequestLine[]> {
  const rows = await requestLines(db, search.importId, search.columns)
    .where(TO_BE_GIVEN_ACCESS)
    .$if(search.patterns.length > 0, (query) =>
      query.where(
        matchesEveryWord(
          sql`concat_ws(' ', ${cell(search.columns.name)}, ${cell(search.columns.email)}, v.name)`,
          search.patterns,
        ),
      ),
    )
    .orderBy('l.line_number')
    .limit(search.limit)
    .execute();
  return rows.map(toRequestLine);
}

/** Which of these lines bring in a user the request is to give access to (the others are left out). */
export async function findLinesToBeGivenAccess(
  db: Executor,
  input: { importId: number; columns: LineColumns; lineNumbers: readonly number[] },
): Promise<RequestLine[]> {
  if (input.lineNumbers.length === 0) return [];
  const rows = await requestLines(db, input.importId, input.columns)
    .where(TO_BE_GIVEN_ACCESS)
    .where(sql<boolean>`l.line_number = any(${[...input.lineNumbers]}::int[])`)
    .orderBy('l.line_number')
    .execute();
  return rows.map(toRequestLine);
}

/** How many users the request is to give access to, before any exclusion. */
export async function countLinesToBeGivenAccess(db: Executor, importId: number): Promise<number> {
  const row = await db
    .selectFrom('import_lines as l')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('l.import_id', '=', importId)
    .where(TO_BE_GIVEN_ACCESS)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The lines already excluded from the request (by anyone) whose user it is still to give access to. */
export async function listExcludedLinesToBeGivenAccess(
  db: Executor,
  input: { requestId: number; importId: number },
): Promise<number[]> {
  const rows = await db
    .selectFrom('excluded_users as x')
    .innerJoin('import_lines as l', (join) =>
      join.onRef('l.line_number', '=', 'x.line_number').on('l.import_id', '=', input.importId),
    )
    .select('x.line_number')
    .distinct()
    .where('x.request_id', '=', input.requestId)
    .where(TO_BE_GIVEN_ACCESS)
    .execute();
  return rows.map((row) => row.line_number);
}

/** One approver's exclusions; a line they already excluded is kept as it was. */
export async function insertExclusions(
  db: Executor,
  input: { requestId: number; lineNumbers: readonly number[]; excludedBy: string; reason: string; now: Date },
): Promise<void> {
  if (input.lineNumbers.length === 0) return;
  await sql`
    insert into excluded_users (request_id, line_number, excluded_by, reason, created_at)
    select ${input.requestId}, line_number, ${input.excludedBy}, ${input.reason}, ${input.now}
      from unnest(${[...input.lineNumbers]}::int[]) as line_number
    on conflict do nothing`.execute(db);
}

/**
 * When provisioning starts: every excluded line whose user was created gets the outcome `excluded`, so no access
 * is made for it. Safe to run again (an `excluded` line is no longer `created`). Returns how many lines changed.
 */
export async function markExcludedLines(db: Executor, input: { requestId: number; importId: number }): Promise<number> {
  const result = await db
    .updateTable('import_lines as l')
    .set({ outcome: 'excluded', errors: '[]' })
    .where('l.import_id', '=', input.importId)
    .where('l.outcome', '=', 'created')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('excluded_users as x')
          .select('x.line_number')
          .where('x.request_id', '=', input.requestId)
          .whereRef('x.line_number', '=', 'l.line_number'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** How many lines of an import took the outcome `excluded` (provisioning gave their users no access). */
export async function countExcludedLines(db: Executor, importId: number): Promise<number> {
  const row = await db
    .selectFrom('import_lines')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('import_id', '=', importId)
    .where('outcome', '=', 'excluded')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Who excluded a line, and why. */
export interface ExclusionBy {
  excludedBy: string;
  reason: string;
  at: Date;
}

export interface ExcludedLine extends RequestLine {
  exclusions: ExclusionBy[];
}

// Excluded lines as they stand: still to be given access (awaiting approval), or already `excluded`.
const EXCLUDED_OR_TO_BE = sql<boolean>`coalesce(l.outcome, l.predicted_outcome) in ('created', 'excluded')`;

/**
 * The request's excluded users in line order, the first `limit` of them with who excluded each and why, and how
 * many there are in all. A line whose user turned out registered already when the import ran (`existing`) is
 * left out: the request never gave it access anyway.
 */
export async function listExcludedLines(
  db: Executor,
  input: { requestId: number; importId: number; columns: LineColumns; limit: number },
): Promise<{ lines: ExcludedLine[]; total: number }> {
  const excludedHere = sql<boolean>`exists (select 1 from excluded_users x where x.request_id = ${input.requestId} and x.line_number = l.line_number)`;
  const rows = await requestLines(db, input.importId, input.columns)
    .where(EXCLUDED_OR_TO_BE)
    .where(excludedHere)
    .orderBy('l.line_number')
    .limit(input.limit)
    .execute();
  const count = await db
    .selectFrom('import_lines as l')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('l.import_id', '=', input.importId)
    .where(EXCLUDED_OR_TO_BE)
    .where(excludedHere)
    .executeTakeFirstOrThrow();
  const byLine = await listExclusionsByLine(
    db,
    input.requestId,
    rows.map((row) => row.line_number),
  );
  return {
    lines: rows.map((row) => ({ ...toRequestLine(row), exclusions: byLine.get(row.line_number) ?? [] })),
    total: Number(count.count),
  };
}

/** Who excluded each line of the request and why, oldest first; only the lines given, or every line. */
export async function listExclusionsByLine(
  db: Executor,
  requestId: number,
  lineNumbers?: readonly number[],
): Promise<Map<number, ExclusionBy[]>> {
  const byLine = new Map<number, ExclusionBy[]>();
  if (lineNumbers?.length === 0) return byLine;
  const rows = await db
    .selectFrom('excluded_users')
    .select(['line_number', 'excluded_by', 'reason', 'created_at'])
    .where('request_id', '=', requestId)
    .$if(lineNumbers !== undefined, (query) =>
      query.where(sql<boolean>`line_number = any(${[...(lineNumbers ?? [])]}::int[])`),
    )
    .orderBy('line_number')
    .orderBy('created_at')
    .orderBy('excluded_by')
    .execute();
  for (const row of rows) {
    const list = byLine.get(row.line_number) ?? [];
    list.push({ excludedBy: row.excluded_by, reason: row.reason, at: row.created_at });
    byLine.set(row.line_number, list);
  }
  return byLine;
}
