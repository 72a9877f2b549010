// The schema: a fresh database migrates, migrating again is a no-op, and the constraints make the
// impossible states of the statuses impossible.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import { migrateAll } from '../../src/db/migrator.ts';
import { createTestDatabase } from '../support/test-database.ts';

const quiet = createLogger({ level: 'error', write: () => undefined });

describe('migrations', () => {
  it('migrate a fresh database, then find nothing to do', async () => {
    const database = await (await createTestDatabase({ empty: true })).open();
    const first = await migrateAll(database, quiet);
    expect(first).toContain('0001_initial');
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`.execute(
      database.db,
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'imports',
        'import_lines',
        'third_party_users',
        'access_requests',
        'accesses',
        'approval_responses',
        'audit_events',
        'vendors',
        'access_groups',
        'reasons',
        'devices',
        'credentials',
        'role_assignments',
      ]),
    );
    const jobSchema = await sql<{
      n: number;
    }>`select count(*)::int as n from information_schema.schemata where schema_name = 'pgboss'`.execute(database.db);
    expect(jobSchema.rows[0]?.n).toBe(1);
    expect(await migrateAll(database, quiet)).toEqual([]);
  });
});

async function seed(database: DatabaseHandle) {
  const db = database.db;
  const group = await db
    .insertInto('access_groups')
    .values({ name: 'Ops', approver_user_ids: ['U0APPR001'], updated_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const vendor = await db
    .insertInto('vendors')
    .values({
      name: 'Acme Corp',
      access_group_id: group.id,
      contract_start: '2026-01-01',
      email_domains: null,
      updated_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const newImport = () =>
    db
      .insertInto('imports')
      .values({
        file_name: 'users.xlsx',
        file_hash: 'a'.repeat(64),
        importer_user_id: 'U0IMPORT1',
        slack_file_id: null,
        locale: null,
        failure_reason: null,
        channel_id: null,
        thread_ts: null,
        finished_at: null,
        updated_at: new Date(),
      })
      .returning(['id', 'code'])
      .executeTakeFirstOrThrow();
  return { group, vendor, newImport };
}

describe('constraints', () => {
  it('number imports, requests and accesses from sequences', async () => {
    const database = await (await createTestDatabase()).open();
    const { newImport } = await seed(database);
    const first = await newImport();
    const second = await newImport();
    expect(first.code).toMatch(/^IMP-\d{6}$/);
    expect(Number(second.code.slice(4))).toBe(Number(first.code.slice(4)) + 1);
    const formatted = await sql<{ w: string; big: string; ext: string }>`
      select domum_format_code('W', 123) as w, domum_format_code('IMP-', 1234567) as big,
             domum_format_code('EXT-26-', 487) as ext`.execute(database.db);
    expect(formatted.rows[0]).toEqual({ w: 'W000123', big: 'IMP-1234567', ext: 'EXT-26-000487' });
  });

  it('allow one user per email whatever the case, stored lower-case', async () => {
    const database = await (await createTestDatabase()).open();
    const { vendor } = await seed(database);
    const user = (email: string) =>
      database.db
        .insertInto('third_party_users')
        .values({
          vendor_id: vendor.id,
          name: 'Ana',
          email,
          phone: null,
          document: null,
          enabled: true,
          import_id: null,
        })
        .execute();
    await user('ana@acme.example');
    await expect(user('ana@acme.example')).rejects.toThrow(/third_party_users_email_key|duplicate key/);
    await expect(user('Ana@Acme.example')).rejects.toThrow(/check constraint|violates/);
  });

  it('keep one line per (import, line number) and refuse an error line without errors', async () => {
    const database = await (await createTestDatabase()).open();
    const { newImport } = await seed(database);
    const created = await newImport();
    const line = (lineNumber: number, outcome: 'error' | 'created' | null, errors: unknown[]) =>
      database.db
        .insertInto('import_lines')
        .values({
          import_id: created.id,
          line_number: lineNumber,
          raw: JSON.stringify([]),
          predicted_outcome: 'created',
          outcome,
          errors: JSON.stringify(errors),
          user_id: null,
        })
        .execute();
    await line(2, null, []);
    await expect(line(2, null, [])).rejects.toThrow(/duplicate key/);
    await expect(line(3, 'error', [])).rejects.toThrow(/check constraint/);
    // A line that really created a user must say which.
    await expect(line(4, 'created', [])).rejects.toThrow(/check constraint/);
  });

  it('count one approval response per (request, group, approver) and require a reason to reject', async () => {
    const database = await (await createTestDatabase()).open();
    const { group, newImport } = await seed(database);
    const created = await newImport();
    const reason = await database.db
      .selectFrom('reasons')
      .select('id')
      .where('name', '=', 'Change')
      .executeTakeFirstOrThrow();
    const request = await database.db
      .insertInto('access_requests')
      .values({
        import_id: created.id,
        requester_user_id: 'U0REQ0001',
        justification: 'Quarterly maintenance',
        reason_id: reason.id,
        governance_code: null,
        limitation: JSON.stringify({}),
        time_zone: 'UTC',
        channel_id: null,
        thread_ts: null,
        card_ts: null,
        decided_at: null,
        updated_at: new Date(),
      })
      .returning(['id', 'code'])
      .executeTakeFirstOrThrow();
    expect(request.code).toMatch(/^W\d{6}$/);
    const respond = (approver: string, decision: 'approve' | 'reject', comment: string | null) =>
      database.db
        .insertInto('approval_responses')
        .values({ request_id: request.id, access_group_id: group.id, approver_user_id: approver, decision, comment })
        .execute();
    await respond('U0APPR001', 'approve', null);
    await expect(respond('U0APPR001', 'approve', null)).rejects.toThrow(/duplicate key/);
    await expect(respond('U0APPR002', 'reject', '  ')).rejects.toThrow(/check constraint/);
  });

  it('keep the audit trail append-only', async () => {
    const database = await (await createTestDatabase()).open();
    await database.db
      .insertInto('audit_events')
      .values({ actor: 'U0ADMIN01', action: 'catalog.load', target: 'catalog' })
      .execute();
    await expect(database.db.updateTable('audit_events').set({ action: 'rewritten' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(database.db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
    expect(await database.db.selectFrom('audit_events').select('action').execute()).toEqual([
      { action: 'catalog.load' },
    ]);
  });
});
