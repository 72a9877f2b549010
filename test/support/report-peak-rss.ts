// Preloaded (node --import) into a child process a test measures: as the process exits, writes its peak
// resident set size (VmHWM, in kB) to the file named by PEAK_RSS_FILE. Read at exit, it misses nothing a
// sampler polling from outside could.
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env['PEAK_RSS_FILE'];
if (target) {
  process.on('exit', () => {
    const peak = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    writeFileSync(target, peak ?? '');
  });
}
