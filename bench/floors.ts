// The floors: the same work done by the bare libraries, in the same run, on the same machine. Ours / floor
// says how much the app adds on top of what the library underneath costs anyway.
import { fork } from 'node:child_process';
import pg from 'pg';
import * as XLSX from 'xlsx';
import { benchRows } from './workbook.ts';

export interface Floor {
  /** What was measured, in words, for the report. */
  what: string;
  ms: number;
  /** CPU time of the process doing the work (for PostgreSQL: the driver's side only). */
  cpuMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** SheetJS alone: read the workbook and turn its sheet into rows of text, as the app needs them. Median of 3. */
export function sheetJsFloor(bytes: Buffer): Floor {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const book = XLSX.read(bytes, { type: 'buffer', dense: true });
    const sheet = book.Sheets[book.SheetNames[0] ?? ''];
    if (!sheet) throw new Error('the bench workbook has no sheet');
    const rows = XLSX.utils.sheet_to_json<string[]>(sheet, { header: 1, raw: false });
    times.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    if (rows.length < 2) throw new Error('the bench workbook read back empty');
  }
  return { what: 'SheetJS read + sheet_to_json (median of 3)', ms: median(times), cpuMs: median(cpuTimes) };
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
    const vendors = new Map((await client.query<{ id: number; name: string }>('SELECT id, name FROM vendors')).rows.map((row) => [row.name, row.id]));
    const rows = benchRows(lines).map(([vendor, name, email, phone, document, enabled]) => [vendors.get(vendor ?? '') ?? 0, name, email, `+${(phone ?? '').replace(/\D/g, '')}`, document, enabled === 'Yes']);
    const batch = 1_000;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await client.query('BEGIN');
    for (let start = 0; start < rows.length; start += batch) {
      const slice = rows.slice(start, start + batch);
      const values = slice.map((_, row) => `(${[1, 2, 3, 4, 5, 6].map((column) => `$${row * 6 + column}`).join(', ')})`).join(', ');
      await client.query(`INSERT INTO bench_floor_users (vendor_id, name, email, phone, document, enabled) VALUES ${values}`, slice.flat());
    }
    await client.query('COMMIT');
    const ms = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    await client.query('DROP TABLE bench_floor_users');
    return { what: 'pg multi-row INSERT, 1,000 rows per statement, one transaction', ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await client.end();
  }
}

/** nodemailer alone (bench/mail-floor.ts in its own process), to the same SMTP server. */
export async function nodemailerFloor(smtpUrl: string, messages: number): Promise<Floor> {
  const child = fork(new URL('./mail-floor.ts', import.meta.url), [smtpUrl, String(messages)], {
    execArgv: ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the nodemailer floor exited with ${code}`);
  const result = JSON.parse(output.trim()) as { messages: number; elapsedMs: number; cpuMs: number };
  return { what: 'nodemailer pooled transport (defaults: 5 connections), 64 sends in flight', ms: result.elapsedMs, cpuMs: result.cpuMs };
}
