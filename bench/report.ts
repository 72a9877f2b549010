// What a bench run prints, and the targets of issue 16 judged against its figures.
import type { AckSummary } from './ack-probe.ts';
import type { Floor } from './floors.ts';
import type { PhaseProfile, PhaseWindow } from './profile-phases.ts';
import type { ValidateRun } from './validate-memory.ts';

export interface JobTiming {
  queue: string;
  jobs: number;
  /** First start to last completion. */
  spanMs: number;
  /** Sum of the jobs' own run times (jobs of a queue may run two at a time). */
  busyMs: number;
  /** Longest a job waited in the queue before a worker took it. */
  maxWaitMs: number;
  /** From the first start to the last completion, the share of the queue's workers' time spent without a job. */
  idleShare: number;
}

/** One run of the app, from the upload to the summary, on one database: what the app did and how it felt. */
export interface AppRun {
  /** `postgres`: DATABASE_URL (the bench's fresh database); `embedded`: no DATABASE_URL, PGlite under DATA_DIR. */
  database: 'postgres' | 'embedded';
  /** How many processes ran the app (1: one `domum start`; more with --workers on PostgreSQL). */
  processes: number;
  accesses: number;
  emails: number;
  /**
   * check: the import modal's submission → the preview (download, parse, validate, store the lines);
   * checkDownload, checkDryRun (parse + validate: the dry run `domum validate` also runs) and checkStore
   * (writing every line with its predicted outcome) are its steps, as the app measured them.
   * import: Create in the wizard → the import's users committed.
   * provisioning: the approval → every access created (the email jobs enqueued).
   * email: accesses created → the summary posted in the thread (every email sent).
   * total: submission → summary (includes the time the bench waits before approving).
   */
  phasesMs: {
    check: number;
    checkDownload: number;
    checkDryRun: number;
    checkStore: number;
    import: number;
    provisioning: number;
    email: number;
    total: number;
  };
  /** CPU time of the app process (all threads) in each phase's window, from /proc. */
  appCpuMs: { check: number; import: number; provisioning: number; email: number };
  /** Highest RSS of the app process sampled (every 100 ms) in each phase. */
  appMaxRssBytes: { check: number; import: number; provisioning: number; email: number };
  /** The phases' wall-clock windows (epoch ms), e.g. to cut a CPU profile again. */
  windows: PhaseWindow[];
  acks: AckSummary;
  /** The same acks, by the phase they were sent in. */
  acksByPhase: { check: AckSummary; import: AckSummary; provisioning: AckSummary; email: AckSummary };
  peakRssBytes: number;
  /** The same, read once the app had started (before the spreadsheet): what starting alone costs. */
  startupPeakRssBytes: number;
  jobs: JobTiming[];
  loadAverage: { before: number; after: number };
  problems: string[];
  /** With --cpu-prof: where each phase's CPU time went. */
  profile?: PhaseProfile[];
}

/** A size: the app on PostgreSQL, next to the floors; with --embedded, the same flow on the embedded database. */
export interface SizeResult extends AppRun {
  lines: number;
  activeLines: number;
  fileBytes: number;
  floors: { sheetJs: Floor & { warm: Array<{ ms: number; cpuMs: number }> }; postgres: Floor; mail: Floor };
  /** `domum validate` of the same file on the embedded database, as operators run it. */
  validate: ValidateRun;
  /** With --embedded: the same upload → summary with the app on PGlite (no floors: they do not change). */
  embedded?: AppRun;
}

export interface TargetResult {
  target: string;
  measured: string;
  pass: boolean;
}

const perSecond = (count: number, ms: number) => (count * 1000) / ms;
const number = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const seconds = (ms: number) => `${number(ms / 1000, 2)} s`;
const megabytes = (bytes: number) => `${number(bytes / 1024 / 1024, 0)} MB`;

export function ratios(result: SizeResult) {
  const importAndProvisioningMs = result.phasesMs.import + result.phasesMs.provisioning;
  return {
    /** Ours / floor, as rates (the same work in both, so floor time / our time). */
    check: result.floors.sheetJs.ms / result.phasesMs.check,
    dryRun: result.floors.sheetJs.ms / result.phasesMs.checkDryRun,
    importAndProvisioning: result.floors.postgres.ms / importAndProvisioningMs,
    email: result.floors.mail.ms / result.phasesMs.email,
    importAndProvisioningLinesPerSecond: perSecond(result.lines, importAndProvisioningMs),
    /** Upload → summary over the sum of the floors (a time ratio: lower is better). */
    totalOverFloors:
      result.phasesMs.total / (result.floors.sheetJs.ms + result.floors.postgres.ms + result.floors.mail.ms),
  };
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('   '),
  );
}

// eslint-disable-next-line max-lines-per-function -- the report is one table a line at a time, in the order it prints.
export function printSize(out: (text: string) => void, result: SizeResult): void {
  const { phasesMs: phases, floors, lines } = result;
  const ratio = ratios(result);
  out(
    `\n${number(lines)} lines · ${number(result.fileBytes / 1024)} KB xlsx · ${number(result.accesses)} accesses · ${number(result.emails)} emails · load ${number(result.loadAverage.before, 2)} → ${number(result.loadAverage.after, 2)}`,
  );
  const cpu = result.appCpuMs;
  for (const line of table([
    ['phase', 'ours', 'rate', 'app CPU', 'floor', 'floor rate', 'floor CPU', 'ours/floor'],
    [
      'check: submission → preview',
      seconds(phases.check),
      `${number(perSecond(lines, phases.check))} lines/s`,
      seconds(cpu.check),
      `${seconds(floors.sheetJs.ms)} SheetJS`,
      `${number(perSecond(lines, floors.sheetJs.ms))} lines/s`,
      seconds(floors.sheetJs.cpuMs),
      number(ratio.check, 2),
    ],
    [
      '  parse + validate (dry run)',
      seconds(phases.checkDryRun),
      `${number(perSecond(lines, phases.checkDryRun))} lines/s`,
      '',
      `${seconds(floors.sheetJs.ms)} SheetJS`,
      `${number(perSecond(lines, floors.sheetJs.ms))} lines/s`,
      '',
      number(ratio.dryRun, 2),
    ],
    [
      '  store the lines',
      seconds(phases.checkStore),
      `${number(perSecond(lines, phases.checkStore))} lines/s`,
      '',
      '',
      '',
      '',
      '',
    ],
    [
      'user import',
      seconds(phases.import),
      `${number(perSecond(lines, phases.import))} lines/s`,
      seconds(cpu.import),
      '',
      '',
      '',
      '',
    ],
    [
      'provisioning (accesses)',
      seconds(phases.provisioning),
      `${number(perSecond(lines, phases.provisioning))} lines/s`,
      seconds(cpu.provisioning),
      '',
      '',
      '',
      '',
    ],
    [
      'import + provisioning',
      seconds(phases.import + phases.provisioning),
      `${number(ratio.importAndProvisioningLinesPerSecond)} lines/s`,
      seconds(cpu.import + cpu.provisioning),
      `${seconds(floors.postgres.ms)} pg INSERT`,
      `${number(perSecond(lines, floors.postgres.ms))} lines/s`,
      seconds(floors.postgres.cpuMs),
      number(ratio.importAndProvisioning, 2),
    ],
    [
      'email',
      seconds(phases.email),
      `${number(perSecond(result.emails, phases.email))} emails/s`,
      seconds(cpu.email),
      `${seconds(floors.mail.ms)} nodemailer`,
      `${number(perSecond(result.emails, floors.mail.ms))} emails/s`,
      seconds(floors.mail.cpuMs),
      number(ratio.email, 2),
    ],
    [
      'upload → summary',
      seconds(phases.total),
      `${number(perSecond(lines, phases.total))} lines/s`,
      '',
      `${seconds(floors.sheetJs.ms + floors.postgres.ms + floors.mail.ms)} floors`,
      '',
      '',
      number(1 / ratio.totalOverFloors, 2),
    ],
  ])) {
    out(`  ${line}`);
  }
  out(
    `  floors: SheetJS cold read ${seconds(floors.sheetJs.ms)} (warm: ${floors.sheetJs.warm.map((run) => seconds(run.ms)).join(', ')}) · ${floors.postgres.what} · ${floors.mail.what}`,
  );
  out(
    `  domum validate of the same file (embedded database): peak RSS ${megabytes(result.validate.peakRssBytes)} · ${seconds(result.validate.ms)}`,
  );
  printRunFigures(out, result);
  if (result.embedded) printEmbeddedRun(out, lines, result.embedded);
}

/** What every run of the app reports, on either database: the acks, its memory, its jobs, its problems. */
function printRunFigures(out: (text: string) => void, run: AppRun): void {
  out(
    `  Slack acks: ${number(run.acks.count)} signed /domum help during the run · p50 ${number(run.acks.p50Ms)} ms · p99 ${number(run.acks.p99Ms)} ms · max ${number(run.acks.maxMs)} ms · ${run.acks.failures} failed`,
  );
  out(
    `    by phase (p50 / p99 / max): ${PHASES.map((phase) => `${phase} ${number(run.acksByPhase[phase].p50Ms)} / ${number(run.acksByPhase[phase].p99Ms)} / ${number(run.acksByPhase[phase].maxMs)} ms`).join(' · ')}`,
  );
  const rss = run.appMaxRssBytes;
  out(
    `  peak RSS of the app process: ${megabytes(run.peakRssBytes)} · after starting: ${megabytes(run.startupPeakRssBytes)} · highest sampled per phase: check ${megabytes(rss.check)}, import ${megabytes(rss.import)}, provisioning ${megabytes(rss.provisioning)}, email ${megabytes(rss.email)}`,
  );
  out(
    `  jobs: ${run.jobs.map((job) => `${job.queue} ×${job.jobs} ${seconds(job.spanMs)} (busy ${seconds(job.busyMs)}, max wait ${seconds(job.maxWaitMs)}${job.jobs > 2 ? `, workers idle ${number(100 * job.idleShare)}%` : ''})`).join(' · ')}`,
  );
  for (const phase of run.profile ?? []) {
    out(
      `  CPU profile, ${phase.phase}: ${seconds(phase.busyMs)} busy · ${phase.top.map((entry) => `${entry.frame} ${number(entry.ms)} ms`).join(' · ')}`,
    );
  }
  for (const problem of run.problems) out(`  PROBLEM: ${problem}`);
}

const PHASES = ['check', 'import', 'provisioning', 'email'] as const;

/** The same flow on the embedded database: the app's own figures (the floors do not depend on the database). */
function printEmbeddedRun(out: (text: string) => void, lines: number, run: AppRun): void {
  const { phasesMs: phases, appCpuMs: cpu } = run;
  out(
    `\n${number(lines)} lines on the embedded database (PGlite under DATA_DIR, no DATABASE_URL; one domum start) · ${number(run.accesses)} accesses · ${number(run.emails)} emails · load ${number(run.loadAverage.before, 2)} → ${number(run.loadAverage.after, 2)}`,
  );
  const row = (name: string, ms: number, count: number, unit: string, cpuMs?: number) => [
    name,
    seconds(ms),
    `${number(perSecond(count, ms))} ${unit}/s`,
    cpuMs === undefined ? '' : seconds(cpuMs),
  ];
  for (const line of table([
    ['phase', 'ours', 'rate', 'app CPU'],
    row('check: submission → preview', phases.check, lines, 'lines', cpu.check),
    row('  parse + validate (dry run)', phases.checkDryRun, lines, 'lines'),
    row('  store the lines', phases.checkStore, lines, 'lines'),
    row('user import', phases.import, lines, 'lines', cpu.import),
    row('provisioning (accesses)', phases.provisioning, lines, 'lines', cpu.provisioning),
    row('email', phases.email, run.emails, 'emails', cpu.email),
    row('upload → summary', phases.total, lines, 'lines'),
  ])) {
    out(`  ${line}`);
  }
  printRunFigures(out, run);
}

const MB = 1024 * 1024;

/** Issue 16's targets, each ours against the floor of the same run. */
export function judgeTargets(result: SizeResult): TargetResult[] {
  const ratio = ratios(result);
  return [
    {
      target: 'email ≥ 0.8× bare pooled nodemailer, same connections',
      measured: `${number(ratio.email, 2)}×`,
      pass: ratio.email >= 0.8,
    },
    {
      target: 'user import + provisioning ≥ 0.5× bare INSERT',
      measured: `${number(ratio.importAndProvisioning, 2)}×`,
      pass: ratio.importAndProvisioning >= 0.5,
    },
    {
      target: 'parse + validate ≥ 0.8× SheetJS cold read',
      measured: `${number(ratio.dryRun, 2)}×`,
      pass: ratio.dryRun >= 0.8,
    },
    {
      target: 'upload → summary ≤ 1.5× the sum of the floors',
      measured: `${number(ratio.totalOverFloors, 2)}×`,
      pass: ratio.totalOverFloors <= 1.5,
    },
    {
      target: 'peak RSS of the app < 400 MB',
      measured: megabytes(result.peakRssBytes),
      pass: result.peakRssBytes < 400 * MB,
    },
    {
      target: '`domum validate` peak RSS < 300 MB',
      measured: megabytes(result.validate.peakRssBytes),
      pass: result.validate.peakRssBytes < 300 * MB,
    },
    ackTarget('PostgreSQL', result),
    ...(result.embedded ? [ackTarget('embedded database', result.embedded)] : []),
  ];
}

/** The acks of one run: p99 under 100 ms, and none over 1 s (a failed ack counts as one over). */
function ackTarget(database: string, run: AppRun): TargetResult {
  const { p99Ms, maxMs, failures } = run.acks;
  return {
    target: `Slack ack p99 < 100 ms, none over 1 s (${database})`,
    measured: `${number(p99Ms)} ms (max ${number(maxMs)} ms${failures > 0 ? `, ${failures} failed` : ''})`,
    pass: p99Ms < 100 && maxMs < 1_000 && failures === 0,
  };
}

export function printTargets(out: (text: string) => void, result: SizeResult, targets: TargetResult[]): void {
  const note =
    result.lines === 50_000 ? '' : ' (the targets are set for 50,000 lines: these figures are indicative only)';
  out(`\nTargets, judged at ${number(result.lines)} lines${note}:`);
  for (const line of table(targets.map((target) => [target.target, target.measured, target.pass ? 'PASS' : 'MISS'])))
    out(`  ${line}`);
}
