// Floor for the dry run: bare SheetJS reading the same file and turning its sheet into rows, in a fresh
// process of its own: the first read is cold, as the app's is (it reads every file in a fresh worker
// thread); two more reads show the library warmed up. Loading the module is not timed.
// Usage: node --experimental-strip-types bench/sheetjs-floor.ts <file.xlsx>; prints one JSON line.
import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: sheetjs-floor.ts <file.xlsx>\n');
  process.exit(2);
}
const bytes = readFileSync(file);
const runs: Array<{ ms: number; cpuMs: number }> = [];
for (let run = 0; run < 3; run += 1) {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const book = XLSX.read(bytes, { type: 'buffer', dense: true });
  const sheet = book.Sheets[book.SheetNames[0] ?? ''];
  if (!sheet) throw new Error('the workbook has no sheet');
  const rows = XLSX.utils.sheet_to_json<string[]>(sheet, { header: 1, raw: false });
  const cpu = process.cpuUsage(cpuBefore);
  runs.push({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000 });
  if (rows.length < 2) throw new Error('the workbook read back empty');
}
process.stdout.write(`${JSON.stringify({ runs })}\n`);
