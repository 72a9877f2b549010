// readSpreadsheet off the main thread (see read-worker.ts). One worker per file: files are rare and big, and
// a fresh worker gives its memory back to the system when it ends.
import { Worker } from 'node:worker_threads';
import type { ReadLimits, ReadResult } from './read-spreadsheet.ts';

const WORKER_URL = new URL('./read-worker.ts', import.meta.url);
const YOUNG_GENERATION_MB = 32;

export async function readSpreadsheetOffThread(
  bytes: Uint8Array,
  fileName: string,
  limits: ReadLimits,
): Promise<ReadResult> {
  // The worker loads TypeScript directly; the flag is what Node 22 before 22.18 needs for that (later
  // versions accept it and do the same by default).
  const worker = new Worker(WORKER_URL, {
    execArgv: ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'],
    // SheetJS makes a lot of short-lived garbage. With V8's default young generation the worker peaks about
    // 330 MB above the process on a 50,000-line file; with a smaller one, collected more often, about 220 MB,
    // at the same speed (measured; see README "Benchmarks").
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  try {
    return await new Promise<ReadResult>((resolve, reject) => {
      worker.once('message', (message: { ok: true; json: string } | { ok: false; message: string }) => {
        if (message.ok) resolve(JSON.parse(message.json) as ReadResult);
        else reject(new Error(`reading the spreadsheet failed: ${message.message}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the spreadsheet reader stopped (exit code ${code})`)));
      worker.postMessage({ bytes, fileName, limits });
    });
  } finally {
    await worker.terminate();
  }
}
