// The processes a bench run starts besides itself: the app under measurement and the SMTP server. Each is a
// TypeScript file run by Node's type stripping, talking to the driver over IPC.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import type { AppMessage, DriverMessage } from './app-process.ts';
import type { SmtpProcessMessage } from './smtp-process.ts';

const STRIP_TYPES = ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];

/** The Node flags of package.json's `start` script (`node <flags> src/cli.ts start`): the app runs as `npm start` runs it. */
function startScriptFlags(): string[] {
  const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [program, ...args] = (packageJson.scripts['start'] ?? '').split(/\s+/);
  const cli = args.indexOf('src/cli.ts');
  if (program !== 'node' || cli < 0)
    throw new Error('package.json has no `start` script of the form `node … src/cli.ts`');
  return args.slice(0, cli);
}

function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type'], timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: T) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(
        new Error(`the child process ended (code ${code}, signal ${signal}) while the bench waited for "${type}"`),
      );
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" from the child process within ${timeoutMs} ms`));
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export interface AppProcess {
  port: number;
  pid: number;
  stats(): Promise<{ maxRssBytes: number; rssBytes: number }>;
  stop(): Promise<void>;
}

export async function startAppProcess(options: {
  env: Record<string, string>;
  logFile: string;
  cpuProfileDir?: string | undefined;
  nodeOptions?: string[];
  role?: 'all' | 'web' | 'worker';
}): Promise<AppProcess> {
  const log = openSync(options.logFile, 'w');
  const execArgv = [
    ...startScriptFlags(),
    ...(options.nodeOptions ?? []),
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
  ];
  const child = fork(new URL('./app-process.ts', import.meta.url), [options.role ?? 'all'], {
    execArgv,
    env: options.env,
    stdio: ['ignore', log, 'inherit', 'ipc'],
  });
  closeSync(log);
  const send = (message: DriverMessage) => child.send(message);
  try {
    const started = await nextMessage<Extract<AppMessage, { type: 'started' }>>(child, 'started', 120_000);
    return {
      port: started.port,
      pid: child.pid ?? 0,
      async stats() {
        const reply = nextMessage<Extract<AppMessage, { type: 'stats' }>>(child, 'stats', 10_000);
        send({ type: 'stats' });
        const { maxRssBytes, rssBytes } = await reply;
        return { maxRssBytes, rssBytes };
      },
      async stop() {
        const stopped = nextMessage<Extract<AppMessage, { type: 'stopped' }>>(child, 'stopped', 60_000);
        send({ type: 'stop' });
        await stopped;
        await exited(child);
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

export interface SmtpProcess {
  url: string;
  /** Messages accepted since the server started. */
  count(): Promise<{ messages: number; rejections: number }>;
  stop(): Promise<void>;
}

export async function startSmtpProcess(): Promise<SmtpProcess> {
  const child = fork(new URL('./smtp-process.ts', import.meta.url), [], {
    execArgv: STRIP_TYPES,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const listening = await nextMessage<Extract<SmtpProcessMessage, { type: 'listening' }>>(child, 'listening', 30_000);
  return {
    url: listening.url,
    async count() {
      const reply = nextMessage<Extract<SmtpProcessMessage, { type: 'count' }>>(child, 'count', 10_000);
      child.send({ type: 'count' });
      const { messages, rejections } = await reply;
      return { messages, rejections };
    },
    async stop() {
      child.send({ type: 'stop' });
      await exited(child);
    },
  };
}

/**
 * `--workers N`: one `domum web` (Slack's requests, the port the driver talks to) and N `domum worker`
 * processes, on one PostgreSQL database the driver has migrated (as `domum migrate` would). Read as one app:
 * its peak RSS is the highest of the processes', its CPU the sum of theirs.
 */
export async function startScaledOutApp(
  options: Parameters<typeof startAppProcess>[0] & { workers: number },
): Promise<AppProcess & { pids: number[] }> {
  const { workers, logFile, cpuProfileDir, ...common } = options;
  const started: AppProcess[] = [];
  try {
    started.push(await startAppProcess({ ...common, logFile, cpuProfileDir, role: 'web' }));
    for (let index = 1; index <= workers; index += 1) {
      const profileDir = cpuProfileDir ? `${cpuProfileDir}-worker-${index}` : undefined;
      const workerLog = logFile.replace(/\.log$/, `-worker-${index}.log`);
      started.push(await startAppProcess({ ...common, logFile: workerLog, cpuProfileDir: profileDir, role: 'worker' }));
    }
  } catch (error) {
    await Promise.all(started.map((process) => process.stop().catch(() => undefined)));
    throw error;
  }
  const [web] = started as [AppProcess, ...AppProcess[]];
  return {
    port: web.port,
    pid: web.pid,
    pids: started.map((process) => process.pid),
    async stats() {
      const all = await Promise.all(started.map((process) => process.stats()));
      return {
        maxRssBytes: Math.max(...all.map((stats) => stats.maxRssBytes)),
        rssBytes: Math.max(...all.map((stats) => stats.rssBytes)),
      };
    },
    async stop() {
      // Workers first, then the web process, as a deployment drains them.
      for (const process of started.slice(1)) await process.stop();
      await web.stop();
    },
  };
}
