// The floors: the same work done by the bare libraries, in the same run, on the same machine. Ours / floor
// says how much the app adds on top of what the library underneath costs anyway. SheetJS and nodemailer run
// in processes of their own, as the app does.
import { fork } from 'node:child_process';
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
 * pg alone: the same user rows, multi-row INSERT of 1,000 rows per statement in one transaction, into a table
 * shaped like third_party_users (same columns, checks, identity, primary key and unique lower(email) index).
 */
export async function postgresInsertFloor(databaseUrl: string, lines: number): Promise<Floor> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_floor_users');
    await client.query('CREATE TABLE bench_floor_users (LIKE third_party_users INCLUDING ALL)');
    const vendors = new Map(
      (await client.query<{ id: number; name: string }>('SELECT id, name FROM vendors')).rows.map((row) => [
        row.name,
        row.id,
      ]),
    );
    const rows = benchRows(lines).map(([vendor, name, email, phone, document, enabled]) => [
      vendors.get(vendor ?? '') ?? 0,
      name,
      email,
      `+${(phone ?? '').replace(/\D/g, '')}`,
      document,
      enabled === 'Yes',
    ]);
    const batch = 1_000;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await client.query('BEGIN');
    for (let start = 0; start < rows.length; start += batch) {
      const slice = rows.slice(start, start + batch);
      const values = slice
        .map((_, row) => `(${[1, 2, 3, 4, 5, 6].map((column) => `$${row * 6 + column}`).join(', ')})`)
        .join(', ');
      await client.query(
        `INSERT INTO bench_floor_users (vendor_id, name, email, phone, document, enabled) VALUES ${values}`,
        slice.flat(),
      );
    }
    await client.query('COMMIT');
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    await client.query('DROP TABLE bench_floor_users');
    return {
      what: 'pg multi-row INSERT, 1,000 rows per statement, one transaction',
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
    };
  } finally {
    await client.end();
  }
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
