// `domum validate <file>` of the bench's spreadsheet, run as operators run it (the flags of `npm start`, the
// embedded database in a data directory of its own, the test catalog loaded first): its peak resident memory
// (VmHWM, read by the process itself at exit, so nothing a sampler would miss) and how long it took.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixturePath } from '../test/support/fixtures.ts';

const REPORT_PEAK_RSS = new URL('../test/support/report-peak-rss.ts', import.meta.url).pathname;

export interface ValidateRun {
  peakRssBytes: number;
  ms: number;
}

async function startArguments(): Promise<string[]> {
  const packageJson = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [program, ...args] = (packageJson.scripts['start'] ?? '').split(/\s+/);
  if (program !== 'node' || args.at(-1) !== 'start') throw new Error('package.json has no `node … src/cli.ts start`');
  return args.slice(0, -1);
}

async function domum(args: string[], dataDir: string): Promise<ValidateRun> {
  const peakFile = path.join(dataDir, `peak-rss-${args[0] ?? 'none'}`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', REPORT_PEAK_RSS, ...(await startArguments()), ...args], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'], DATA_DIR: dataDir, PEAK_RSS_FILE: peakFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`domum ${args.join(' ')} exited with ${code}: ${stderr}`);
  return { peakRssBytes: Number(await readFile(peakFile, 'utf8')) * 1024, ms: performance.now() - started };
}

export async function measureValidate(file: string): Promise<ValidateRun> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'domum-bench-validate-'));
  try {
    await domum(['catalog', 'load', fixturePath('catalog.yaml')], dataDir);
    return await domum(['validate', file], dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
