// The app under measurement, in its own process (so its peak RSS is its own, not the driver's fake Slack and
// SMTP server): the real composition root, startDomum, configured from the environment the driver passes,
// as test/support/test-app.ts does in-process. Logs go to stdout (the driver writes them to a file).
// The first argument is the process's role (default `all`).
// IPC: sends { type: 'started', port }; answers { type: 'stats' } with the peak RSS; { type: 'stop' } stops.
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { startDomum } from '../src/main.ts';
import { importCheckTimingsChannel } from '../src/usecases/import-lifecycle.ts';

export type AppMessage =
  { type: 'started'; port: number } | { type: 'stats'; maxRssBytes: number; rssBytes: number } | { type: 'stopped' };
export type DriverMessage = { type: 'stats' } | { type: 'stop' };

// For --cpu-prof: V8 stamps profile samples with this monotonic clock; the driver maps them to wall time.
process.stdout.write(
  `${JSON.stringify({ message: 'bench clock', monotonicMicros: Number(process.hrtime.bigint() / 1000n), wallMs: Date.now() })}\n`,
);
// The check's own split (download, parse + validate, storing the lines), published by the app.
importCheckTimingsChannel.subscribe((timings) => {
  process.stdout.write(`${JSON.stringify({ message: 'bench import check', ...(timings as object) })}\n`);
});
const config = loadConfig(process.env);
const logger = createLogger({ level: config.logLevel });
// `all` (one `domum start`), or `web` / `worker` for the scale-out run (`--workers N`).
const role = (['all', 'web', 'worker'] as const).find((known) => known === process.argv[2]) ?? 'all';
const running = await startDomum({ config, role, logger: logger.child({ process: role }) });

function reply(message: AppMessage, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

process.on('message', (message: DriverMessage) => {
  if (message.type === 'stats') {
    // resourceUsage().maxRSS is in kilobytes and covers the whole process, the spreadsheet worker threads too.
    reply({ type: 'stats', maxRssBytes: process.resourceUsage().maxRSS * 1024, rssBytes: process.memoryUsage.rss() });
    return;
  }
  void running.stop().then(() => {
    // Exit once the reply is out rather than wait for the event loop to drain (--cpu-prof writes on exit).
    reply({ type: 'stopped' }, () => process.exit(0));
  });
});
reply({ type: 'started', port: running.port });
