// The floors: the same work done by the bare libraries, in the same run, on the same machine. Ours / floor
// says how much the app adds on top of what the library underneath costs anyway. SheetJS and nodemailer run
// in processes of their own, as the app does.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { benchRows } from './workbook.ts';

export interface Floor {
  /** What was measured, in words, for the report. */
  what: string;
  ms: number;
  /** CPU time of the process doing the work (for PostgreSQL: the driver's side only). */
  cpuMs: number;
}

/** Runs one of the floor scripts in a process of its own and returns the JSON line it prints. */
async function runFloorProcess<T>(script: string, args: string[]): Promise<T> {
  const child = fork(new URL(script, import.meta.url), args, {
    execArgv: ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(output.trim()) as T;
}

/**
 * SheetJS alone: read the workbook and turn its sheet into rows of text, in a fresh process. The floor is
 * the first (cold) read, the situation the app is always in; the warm reads that follow are kept as `warm`.
 */
export async function sheetJsFloor(file: string): Promise<Floor & { warm: Array<{ ms: number; cpuMs: number }> }> {
  const { runs } = await runFloorProcess<{ runs: Array<{ ms: number; cpuMs: number }> }>('./sheetjs-floor.ts', [file]);
  const [cold, ...warm] = runs;
  if (!cold) throw new Error('the SheetJS floor measured nothing');
  return { what: 'SheetJS read + sheet_to_json, first read in a fresh process', ms: cold.ms, cpuMs: cold.cpuMs, warm };
}

/**
 * pg alone: the same rows as the app's import + provisioning — the users, multi-row INSERT of 1,000 rows per
 * statement in one transaction, into a table shaped like third_party_users (same columns, checks, identity,
 * primary key and unique lower(email) index), then one access per active user (with a fresh link id, the
 * app's request, schedule, grants and limitation) the same way into a table shaped like accesses. Run after
 * the app, on its database: it copies one of the app's accesses for the values every access shares.
 */
export async function postgresInsertFloor(databaseUrl: string, lines: number): Promise<Floor> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_floor_accesses, bench_floor_users');
    await client.query('CREATE TABLE bench_floor_users (LIKE third_party_users INCLUDING ALL)');
    await client.query('CREATE TABLE bench_floor_accesses (LIKE accesses INCLUDING ALL)');
    const { rows, shared } = await floorInputs(client, lines);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await client.query('BEGIN');
    const activeUserIds: number[] = [];
    for (const slice of batches(rows)) {
      const inserted = await client.query<{ id: number; enabled: boolean }>(
        `INSERT INTO bench_floor_users (vendor_id, name, email, phone, document, enabled) VALUES ${placeholders(slice.length, 6)} RETURNING id, enabled`,
        slice.flat(),
      );
      for (const row of inserted.rows) if (row.enabled) activeUserIds.push(row.id);
    }
    const accessValues = [shared['request_id'], shared['starts_at'], shared['ends_at'], shared['time_zone']];
    const grants = JSON.stringify(shared['grants']);
    const limitation = JSON.stringify(shared['limitation']);
    for (const slice of batches(activeUserIds)) {
      const values = slice.map((userId) => [
        userId,
        ...accessValues,
        grants,
        limitation,
        shared['status'],
        randomBytes(16).toString('base64url'),
      ]);
      await client.query(
        `INSERT INTO bench_floor_accesses (user_id, request_id, starts_at, ends_at, time_zone, grants, limitation, status, link_id) VALUES ${placeholders(slice.length, 9)}`,
        values.flat(),
      );
    }
    await client.query('COMMIT');
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    await client.query('DROP TABLE bench_floor_accesses, bench_floor_users');
    return {
      what: 'pg multi-row INSERT of the users then of their accesses, 1,000 rows per statement, one transaction',
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  } finally {
    await client.end();
  }
}

/** The users' rows as the app stores them, and the values every access of the app's request shares. */
async function floorInputs(client: pg.Client, lines: number) {
  const vendors = new Map(
    (await client.query<{ id: number; name: string }>('SELECT id, name FROM vendors')).rows.map((row) => [
      row.name,
      row.id,
    ]),
  );
  const shared = (
    await client.query<Record<string, unknown>>(
      'SELECT request_id, starts_at, ends_at, time_zone, grants, limitation, status FROM accesses LIMIT 1',
    )
  ).rows[0];
  if (!shared) throw new Error('the app created no access to copy');
  const rows = benchRows(lines).map(([vendor, name, email, phone, document, enabled]) => [
    vendors.get(vendor ?? '') ?? 0,
    name,
    email,
    `+${(phone ?? '').replace(/\D/g, '')}`,
    document,
    enabled === 'Yes',
  ]);
  return { rows, shared };
}

function* batches<T>(items: readonly T[], size = 1_000): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/** `($1, $2), ($3, $4)` for 2 rows of 2 columns. */
function placeholders(rows: number, columns: number): string {
  return Array.from(
    { length: rows },
    (_, row) => `(${Array.from({ length: columns }, (_, column) => `$${row * columns + column + 1}`).join(', ')})`,
  ).join(', ');
}

/** nodemailer alone (bench/mail-floor.ts in its own process), to the same SMTP server. */
export async function nodemailerFloor(smtpUrl: string, messages: number, connections: number): Promise<Floor> {
  const result = await runFloorProcess<{ messages: number; elapsedMs: number; cpuMs: number }>('./mail-floor.ts', [
    smtpUrl,
    String(messages),
    String(connections),
  ]);
  return {
    what: `nodemailer pooled transport, ${connections} connections (as the app), 64 sends in flight`,
    ms: result.elapsedMs,
    cpuMs: result.cpuMs,
  };
}
