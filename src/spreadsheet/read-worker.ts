// Runs readSpreadsheet in a worker thread: parsing a 50,000-line file takes about a second of CPU, and in the
// main thread that second would delay every Slack acknowledgement (Slack wants them within 3 s,
// also while a big import is processing).
import module from 'node:module';
import { parentPort } from 'node:worker_threads';
import type { ReadLimits } from './read-spreadsheet.ts';

// Every file is read in a fresh worker, which strips the reader's types and compiles SheetJS again each time:
// about 40 ms of CPU per file, before the first byte is read. Node's compile cache keeps both on disk (under the
// system's temporary directory) for the next worker; where that cannot be written, the worker only goes without.
module.enableCompileCache();
const { readSpreadsheet } = await import('./read-spreadsheet.ts');

interface ReadRequest {
  bytes: Uint8Array;
  fileName: string;
  limits: ReadLimits;
}

parentPort?.on('message', (request: ReadRequest) => {
  try {
    // As one JSON string: posting 50,000 lines as objects costs about 0.4 s of structured cloning, part of it
    // on the main thread; a string is copied in one go and JSON.parse reads it back in well under 0.1 s.
    parentPort?.postMessage({
      ok: true,
      json: JSON.stringify(readSpreadsheet(request.bytes, request.fileName, request.limits)),
    });
  } catch (error) {
    parentPort?.postMessage({ ok: false, message: (error as Error).message ?? String(error) });
  }
});
