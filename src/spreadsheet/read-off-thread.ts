// readSpreadsheet off the main thread (see read-worker.ts). One worker per file: files are rare and big, and
// a worker that ends leaves nothing behind but its heap's pages, which Node keeps for the process to reuse
// (measured on Node 24: they are not given back to the system, so its peak adds to what the process holds).
import { Worker } from 'node:worker_threads';
import type { ReadLimits, ReadResult } from './read-spreadsheet.ts';

const WORKER_URL = new URL('./read-worker.ts', import.meta.url);
const YOUNG_GENERATION_MB = 8;
// A 50,000-line file (the default IMPORT_MAX_ROWS) needs under 100 MB of old generation (measured: it reads
// with 96 MB and not with 64); long cells need more. Past this the worker stops and the file is refused,
// instead of the reader growing until the whole process (the web or worker pod) is killed.
export const WORKER_HEAP_MB = 256;

export async function readSpreadsheetOffThread(
  bytes: Uint8Array,
  fileName: string,
  limits: ReadLimits,
  heapMb = WORKER_HEAP_MB,
): Promise<ReadResult> {
  // The worker loads TypeScript directly; the flag is what Node 22 before 22.18 needs for that (later
  // versions accept it and do the same by default).
  const worker = new Worker(WORKER_URL, {
    execArgv: ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'],
    // SheetJS makes a lot of short-lived garbage. With V8's default young generation the worker peaked about
    // 330 MB above the process on a 50,000-line file, with 32 MB about 220 MB; with 8 MB, collected more often,
    // the file reads as fast (2.4–2.8 s against 2.5–2.9 s here) and `domum validate` of it peaks about 40 MB
    // lower, at 340–385 MB (the heap pages a worker used stay with the process: see the header).
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: heapMb },
  });
  try {
    return await new Promise<ReadResult>((resolve, reject) => {
      worker.once('message', (message: { ok: true; json: string } | { ok: false; message: string }) => {
        if (message.ok) resolve(JSON.parse(message.json) as ReadResult);
        else reject(new Error(`reading the spreadsheet failed: ${message.message}`));
      });
      worker.once('error', (error: Error & { code?: string }) => {
        // The worker hit its heap limit: V8 stopped it (not the process), and the file is what is too big.
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') resolve(tooBigToRead(heapMb));
        else reject(error);
      });
      worker.once('exit', (code) => reject(new Error(`the spreadsheet reader stopped (exit code ${code})`)));
      worker.postMessage({ bytes, fileName, limits });
    });
  } finally {
    await worker.terminate();
  }
}

function tooBigToRead(heapMb: number): ReadResult {
  return {
    ok: false,
    refusal: {
      code: 'too_large',
      message:
        `the file needs more than the ${heapMb} MB of memory the app gives a spreadsheet to be read ` +
        '(too many lines or cells, or very long ones): split it into smaller files',
    },
  };
}
