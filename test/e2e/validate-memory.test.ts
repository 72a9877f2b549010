// `domum validate` of a 50,000-line spreadsheet on the embedded database, run as operators run it (a child
// process started like `npm start`), stays under 300 MB of peak RSS (issue 16's target). It used to take about
// 1.1 GB: the CLI loaded the whole server (date-fns's ES module index alone peaks above 500 MB), PGlite compiled
// its SQL parser with V8's optimising compiler (about 600 MB for a second), and the reader's peak stacked on the
// database's. Then 306–313 MB, reading in a worker whose heap pages stayed with the process; about 265 MB now.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { benchWorkbook } from '../../bench/workbook.ts';
import { fixturePath } from '../support/fixtures.ts';

const LINES = 50_000;
const PEAK_RSS_LIMIT_MB = 300;
const REPORT_PEAK_RSS = path.resolve('test', 'support', 'report-peak-rss.ts');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The node arguments of `npm start` without its command, read from package.json: what operators run. */
async function domumArguments(): Promise<string[]> {
  const packageJson = JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> };
  const [program, ...args] = (packageJson.scripts['start'] ?? '').split(/\s+/);
  expect(program).toBe('node');
  expect(args.at(-1)).toBe('start');
  return args.slice(0, -1);
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number;
}

/** Runs `domum <args>` on the embedded database in `dataDir` (no DATABASE_URL), with its peak RSS. */
async function domum(args: string[], dataDir: string): Promise<Finished> {
  const peakFile = path.join(dataDir, `peak-rss-${args[0] ?? 'none'}`);
  const child = spawn(process.execPath, ['--import', REPORT_PEAK_RSS, ...(await domumArguments()), ...args], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], DATA_DIR: dataDir, PEAK_RSS_FILE: peakFile },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const peakKb = Number(await readFile(peakFile, 'utf8'));
  return { code, stdout, stderr, peakRssMb: Math.round(peakKb / 1024) };
}

describe('domum validate', () => {
  it(`checks ${LINES.toLocaleString('en-US')} lines on the embedded database under ${PEAK_RSS_LIMIT_MB} MB of peak RSS`, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'domum-validate-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const loaded = await domum(['catalog', 'load', fixturePath('catalog.yaml')], dataDir);
    expect(loaded.code, loaded.stderr).toBe(0);
    const file = path.join(dataDir, 'users.xlsx');
    await writeFile(file, benchWorkbook(LINES).bytes);

    const validated = await domum(['validate', file], dataDir);
    expect(validated.code, validated.stderr).toBe(0);
    const report = validated.stdout.trimEnd().split('\n');
    expect(report).toHaveLength(LINES + 7);
    expect(report.slice(-4)).toEqual([
      '50000 lines',
      '50000 will be created (45000 active, 5000 inactive)',
      '0 existing (already registered, not updated)',
      '0 errors',
    ]);
    expect(validated.peakRssMb).toBeGreaterThan(0);
    expect(validated.peakRssMb, `peak RSS of domum validate: ${validated.peakRssMb} MB`).toBeLessThan(
      PEAK_RSS_LIMIT_MB,
    );
  }, 120_000);
});
