// `npm run bench [-- --sizes 1000,10000,50000] [--embedded] [--probe-ms 100] [--cpu-prof] [--keep-database] [--app-node-options=…]`
// For each size: a generated spreadsheet goes through the real app (its own process, on a fresh PostgreSQL
// database) from the upload to the provisioning summary, driven the way Slack drives it (signed requests,
// the fake Web API on loopback, an SMTP server on loopback), while signed `/domum help` commands measure
// the acknowledgement latency. Then the bare libraries do the same work (the floors). With --embedded, the
// same flow then runs again with the app on its embedded database (PGlite under a fresh DATA_DIR). Prints
// every figure, the ratios and the targets, and writes them all to bench/results/<date>-<sizes>.json.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/client.ts';
import type { DatabaseHandle } from '../src/db/client.ts';
import { migrateAll } from '../src/db/migrator.ts';
import type { Db } from '../src/db/schema.ts';
import { queues } from '../src/jobs/queues.ts';
import { createLogger } from '../src/logger.ts';
import { APPROVE_ACTION, APPROVE_MODAL_CALLBACK, COMMENT_BLOCK, DECISION_TEXT_ACTION } from '../src/slack/ids.ts';
import { loadCatalog } from '../src/usecases/load-catalog.ts';
import { startFakeSlackApi } from '../test/support/fake-slack-api.ts';
import type { FakeSlackApi } from '../test/support/fake-slack-api.ts';
import { fixturePath } from '../test/support/fixtures.ts';
import { runAdmin, withDatabase } from '../test/support/global-setup.ts';
import { runImportWizard, wizardChoices } from '../test/support/request-driver.ts';
import type { WizardChoices } from '../test/support/request-driver.ts';
import { createSlackDriver, findElement } from '../test/support/slack-driver.ts';
import type { SlackDriver } from '../test/support/slack-driver.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { startAckProbe, summarizeAcks } from './ack-probe.ts';
import { nodemailerFloor, postgresInsertFloor, sheetJsFloor } from './floors.ts';
import type { Floor } from './floors.ts';
import { startAppProcess, startScaledOutApp, startSmtpProcess } from './processes.ts';
import type { AppProcess, SmtpProcess } from './processes.ts';
import { startProcessGroupSampler, startProcessSampler } from './process-sampler.ts';
import type { ProcessSampler } from './process-sampler.ts';
import { profilePhases } from './profile-phases.ts';
import type { PhaseProfile, PhaseWindow } from './profile-phases.ts';
import { printSize, printTargets, judgeTargets } from './report.ts';
import type { AppRun, JobTiming, SizeResult } from './report.ts';
import { measureValidate } from './validate-memory.ts';
import { benchWorkbook } from './workbook.ts';
import type { BenchWorkbook } from './workbook.ts';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const SECRET_KEY = 'bench-secret-key-0123456789abcdef0123456789';
const REQUESTER = 'U0REQ0001';
const APPROVER = 'U0APPR001';
const PROBE_USER = 'U0IMPORT1';
const CHANNEL = 'C0BENCH01';
/** "Lifted": far above what one SMTP connection pool can do, so the limiter never waits. */
const MAIL_RATE_LIFTED = '100000';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: process.env.BENCH_SIZES ?? '1000,10000,50000' },
    'probe-ms': { type: 'string', default: '100' },
    'cpu-prof': { type: 'boolean', default: false },
    'keep-database': { type: 'boolean', default: false },
    // Extra Node options for the app process only (--app-node-options=--max-semi-space-size=16), to try a setting;
    // without it the app runs exactly as `npm start` runs it.
    'app-node-options': { type: 'string', default: '' },
    // SMTP_CONNECTIONS for the app, and the same number of pooled connections for the nodemailer floor.
    'smtp-connections': { type: 'string', default: '5' },
    // Scale-out: 1 `domum web` and this many `domum worker` processes instead of one `domum start`.
    workers: { type: 'string', default: '0' },
    // After the PostgreSQL run of each size, the same flow with the app on its embedded database (PGlite).
    embedded: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const sizes = (args.sizes ?? '').split(',').map((text) => Number(text.replace(/[_\s]/g, '')));
if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 1 || size > 50_000)) {
  process.stderr.write(`--sizes must be a comma-separated list of line counts from 1 to 50000, got "${args.sizes}"\n`);
  process.exit(2);
}
const probeIntervalMs = Number(args['probe-ms']);
const workers = Number(args.workers);
if (!Number.isInteger(workers) || workers < 0 || workers > 8) {
  process.stderr.write(`--workers must be a whole number from 0 (one domum start) to 8, got "${args.workers}"\n`);
  process.exit(2);
}
const smtpConnections = Number(args['smtp-connections']);
if (!Number.isInteger(smtpConnections) || smtpConnections < 1 || smtpConnections > 50) {
  process.stderr.write(`--smtp-connections must be a whole number from 1 to 50, got "${args['smtp-connections']}"\n`);
  process.exit(2);
}
const appNodeOptions = (args['app-node-options'] ?? '').split(' ').filter((option) => option !== '');
const quiet = createLogger({ level: 'error', write: () => undefined });
const out = (text: string) => process.stdout.write(`${text}\n`);

async function runSize(lines: number, smtp: SmtpProcess, workDir: string): Promise<SizeResult> {
  out(`\n▶ ${lines.toLocaleString('en-US')} lines: generating the spreadsheet…`);
  const workbook = benchWorkbook(lines);
  const workbookFile = path.join(workDir, `bench-${lines}.xlsx`);
  await writeFile(workbookFile, workbook.bytes);
  const sheetJs = await sheetJsFloor(workbookFile);

  const databaseName = `domum_bench_${randomBytes(5).toString('hex')}`;
  await runAdmin(ADMIN_URL, `CREATE DATABASE ${databaseName}`);
  const databaseUrl = withDatabase(ADMIN_URL, databaseName);
  let failed = true;
  try {
    const run = await runApp({ lines, workbook, smtp, workDir, databaseUrl });
    out('  floors: PostgreSQL insert, nodemailer…');
    const postgres = await postgresInsertFloor(databaseUrl, lines);
    const mailBeforeFloor = (await smtp.count()).messages;
    const mail: Floor = await nodemailerFloor(smtp.url, run.emails, smtpConnections);
    const floorEmails = (await smtp.count()).messages - mailBeforeFloor;
    const problems = [...run.problems];
    if (floorEmails !== run.emails) problems.push(`the nodemailer floor delivered ${floorEmails} of ${run.emails}`);
    out('  domum validate of the same file…');
    const validate = await measureValidate(workbookFile);
    const embedded = args.embedded
      ? await runApp({ lines, workbook, smtp, workDir, databaseUrl: undefined })
      : undefined;
    failed = false;
    return {
      lines,
      activeLines: workbook.activeLines,
      fileBytes: workbook.bytes.length,
      ...run,
      problems,
      floors: { sheetJs, postgres, mail },
      validate,
      ...(embedded ? { embedded } : {}),
    };
  } finally {
    if (failed || args['keep-database']) out(`  kept the database: ${databaseUrl}`);
    else await runAdmin(ADMIN_URL, `DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  }
}

interface AppRunInput {
  lines: number;
  workbook: BenchWorkbook;
  smtp: SmtpProcess;
  workDir: string;
  /** The app's DATABASE_URL; unset, the app runs on its embedded default (PGlite under a fresh DATA_DIR). */
  databaseUrl: string | undefined;
}

/**
 * One run of the app from the upload to the summary. The driver reads no database while the app runs (on the
 * embedded database the app owns its data directory): it seeds the catalog before the app starts, drives it
 * through Slack alone, and reads the phases' marks, the accesses and the jobs once it has stopped.
 */
// eslint-disable-next-line max-lines-per-function -- one app run told in order (start, drive, stop, read); the figures it gathers are read together at its end.
async function runApp(input: AppRunInput): Promise<AppRun> {
  const { lines, workbook, smtp, workDir, databaseUrl } = input;
  const label = databaseUrl ? `${lines}` : `${lines}-embedded`;
  // The embedded database lives in one process: the scale-out (--workers) needs PostgreSQL.
  const scaleOut = databaseUrl ? workers : 0;
  const loadBefore = os.loadavg()[0] ?? 0;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'domum-bench-'));
  const logFile = path.join(workDir, `app-${label}.log`);
  const logFiles = [
    logFile,
    ...Array.from({ length: scaleOut }, (_, index) => logFile.replace(/\.log$/, `-worker-${index + 1}.log`)),
  ];
  const cpuProfileDir = args['cpu-prof'] ? path.join(workDir, `cpu-${label}`) : undefined;
  const openAppDatabase = () => openDatabase(databaseUrl ? { databaseUrl, dataDir: '' } : { dataDir }, quiet);
  out(
    `  ${databaseUrl ? `PostgreSQL: database ${new URL(databaseUrl).pathname.slice(1)}` : `embedded database (PGlite): ${dataDir}`}, app log ${logFile}${cpuProfileDir ? `, CPU profiles in ${cpuProfileDir}` : ''}`,
  );
  const choices = await seedDatabase(openAppDatabase);
  const slackApi = await startFakeSlackApi();
  const appOptions = {
    logFile,
    cpuProfileDir,
    nodeOptions: appNodeOptions,
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: slackApi.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slackApi.url,
      PORT: '0',
      DATA_DIR: dataDir,
      SECRET_KEY,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Domum <no-reply@domum.example>',
      MAIL_RATE_PER_SECOND: MAIL_RATE_LIFTED,
      SMTP_CONNECTIONS: String(smtpConnections),
      PUBLIC_BASE_URL: 'https://domum.example.com',
      LOG_LEVEL: 'info',
    },
  };
  let app: AppProcess | undefined;
  let sampler: ProcessSampler | undefined;
  let failed = true;
  try {
    const started: AppProcess & { pids?: number[] } =
      scaleOut > 0 ? await startScaledOutApp({ ...appOptions, workers: scaleOut }) : await startAppProcess(appOptions);
    app = started;
    const runSampler = started.pids ? startProcessGroupSampler(started.pids) : startProcessSampler(started.pid);
    sampler = runSampler;
    const memoryAtStart = await started.stats();
    const slack = createSlackDriver({
      baseUrl: `http://127.0.0.1:${started.port}`,
      signingSecret: SIGNING_SECRET,
      fakeApi: slackApi,
    });
    const mailBefore = (await smtp.count()).messages;

    out(
      `  running${databaseUrl ? '' : ' on the embedded database'}: upload → preview → wizard → import → approval → accesses → emails → summary`,
    );
    const probe = startAckProbe(slack, { intervalMs: probeIntervalMs, userId: PROBE_USER });
    const driven = await driveRequest({ slack, slackApi }, choices, workbook, logFiles);
    const { samples: ackSamples, ...acks } = await probe.stop();
    runSampler.stop();
    const memory = await started.stats();
    const loadAfter = os.loadavg()[0] ?? 0;
    const emails = (await smtp.count()).messages - mailBefore;
    await started.stop();
    const { marks, accesses, jobs } = await readRun(openAppDatabase, driven.requestId, Math.max(1, scaleOut));

    const problems: string[] = [];
    if (marks.status !== 'completed') problems.push(`request status ${marks.status}, expected completed`);
    if (accesses !== workbook.activeLines) problems.push(`${accesses} accesses, expected ${workbook.activeLines}`);
    if (emails !== 2 * workbook.activeLines)
      problems.push(`${emails} emails received, expected ${2 * workbook.activeLines}`);
    if (acks.failures > 0) problems.push(`${acks.failures} Slack acknowledgements failed`);
    if (slackApi.violations.length > 0) problems.push(`Block Kit violations: ${JSON.stringify(slackApi.violations)}`);
    const checkSteps = logFiles
      .flatMap((file) => readLogLines(file))
      .find((line) => line['message'] === 'bench import check') as CheckSteps | undefined;
    if (!checkSteps) throw new Error('the app published no check timings');
    // Phase boundaries, all on this machine's clock.
    const windows: PhaseWindow[] = [
      { name: 'check', startWallMs: marks.submitted, endWallMs: driven.previewAt },
      { name: 'import', startWallMs: marks.requested, endWallMs: marks.imported },
      { name: 'provisioning', startWallMs: marks.approved, endWallMs: marks.processing },
      { name: 'email', startWallMs: marks.processing, endWallMs: driven.summaryAt },
    ];
    const perPhase = <T>(figure: (window: PhaseWindow) => T) =>
      Object.fromEntries(windows.map((window) => [window.name, figure(window)]));
    const profile = cpuProfileDir ? await profileRun(cpuProfileDir, logFile, windows) : undefined;

    failed = false;
    return {
      database: databaseUrl ? 'postgres' : 'embedded',
      processes: scaleOut > 0 ? scaleOut + 1 : 1,
      accesses,
      emails,
      phasesMs: {
        check: driven.previewAt - marks.submitted,
        checkDownload: checkSteps.downloadMs,
        checkDryRun: checkSteps.dryRunMs,
        checkStore: checkSteps.storeMs,
        import: marks.imported - marks.requested,
        provisioning: marks.processing - marks.approved,
        email: driven.summaryAt - marks.processing,
        total: driven.summaryAt - marks.submitted,
      },
      appCpuMs: perPhase((window) =>
        runSampler.cpuMsBetween(window.startWallMs, window.endWallMs),
      ) as AppRun['appCpuMs'],
      appMaxRssBytes: perPhase((window) =>
        runSampler.maxRssBytesBetween(window.startWallMs, window.endWallMs),
      ) as AppRun['appMaxRssBytes'],
      windows,
      acks,
      acksByPhase: perPhase((window) =>
        summarizeAcks(
          ackSamples.filter((sample) => sample.sentAt >= window.startWallMs && sample.sentAt < window.endWallMs),
        ),
      ) as AppRun['acksByPhase'],
      peakRssBytes: memory.maxRssBytes,
      startupPeakRssBytes: memoryAtStart.maxRssBytes,
      jobs,
      loadAverage: { before: loadBefore, after: loadAfter },
      problems,
      ...(profile ? { profile } : {}),
    };
  } finally {
    sampler?.stop();
    if (failed) await app?.stop().catch(() => undefined);
    await slackApi.close().catch(() => undefined);
    if (!databaseUrl && (failed || args['keep-database'])) out(`  kept the embedded database: ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

/** Migrates the app's database and loads the test catalog, before the app starts; what the wizard will pick. */
async function seedDatabase(open: () => Promise<DatabaseHandle>): Promise<WizardChoices> {
  const database = await open();
  try {
    await migrateAll(database, quiet);
    const loaded = await loadCatalog(database.db, {
      text: readFileSync(fixturePath('catalog.yaml'), 'utf8'),
      format: 'yaml',
    });
    if (!loaded.ok) throw new Error('the test catalog did not load');
    return await wizardChoices(database.db);
  } finally {
    await database.close();
  }
}

/**
 * The request as Slack would take it, through signed requests and the fake Web API only: the import modal and
 * the wizard, the card (its Approve button names the request), the approval once the import is done, the
 * summary. Returns when the preview and the summary were posted (epoch ms).
 */
async function driveRequest(
  side: { slack: SlackDriver; slackApi: FakeSlackApi },
  choices: WizardChoices,
  workbook: BenchWorkbook,
  logFiles: string[],
): Promise<{ requestId: number; previewAt: number; summaryAt: number }> {
  const { slack, slackApi } = side;
  await runImportWizard(side, choices, {
    requester: REQUESTER,
    channel: CHANNEL,
    file: `bench-${workbook.lines}.xlsx`,
    bytes: workbook.bytes,
  });
  const card = await slackApi.waitForCall(
    'chat.postMessage',
    (call) => call.args.channel === CHANNEL && JSON.stringify(call.args.blocks ?? '').includes(APPROVE_ACTION),
    60_000,
  );
  const requestId = Number(findElement(card.args.blocks, APPROVE_ACTION)?.['value']);
  if (!(requestId > 0)) throw new Error(`no Approve button with a request id on the card`);
  // Approve only once the users exist, so the import and provisioning phases do not overlap. The app logs it
  // (the import job's "import done"): the driver does not read the database while the app runs.
  await waitFor(() => logFiles.some((file) => readFileSync(file, 'utf8').includes('"message":"import done"')), {
    timeoutMs: 600_000,
    intervalMs: 20,
    description: 'the app to log "import done"',
  });
  const approval = await slack.interactive({
    type: 'view_submission',
    user: { id: APPROVER, team_id: 'T0TEAM001' },
    view: {
      id: 'VBENCHAPPROVE',
      type: 'modal',
      callback_id: APPROVE_MODAL_CALLBACK,
      private_metadata: JSON.stringify({ requestId }),
      state: { values: { [COMMENT_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: '' } } } },
    },
  });
  if (approval.status !== 200) throw new Error(`the approval was answered ${approval.status}: ${approval.text}`);
  const summary = await slackApi.waitForCall(
    'chat.postMessage',
    (call) => String(call.args.text).startsWith('Summary'),
    1_800_000,
  );
  const preview = slackApi.callsTo('views.update')[0];
  if (!preview || !JSON.stringify(preview.args.view).includes(`${workbook.lines} lines`))
    throw new Error('the first views.update was not the preview');
  return { requestId, previewAt: epochMs(preview.at), summaryAt: epochMs(summary.at) };
}

const epochMs = (value: Date | string | number) => new Date(value).getTime();

/** What the app recorded, read once it has stopped: the phases' marks, the accesses, the job timings. */
async function readRun(open: () => Promise<DatabaseHandle>, requestId: number, processes: number) {
  const database = await open();
  const db = database.db;
  try {
    const marks = await db
      .selectFrom('access_requests as r')
      .innerJoin('imports as i', 'i.id', 'r.import_id')
      .select((eb) => [
        'i.created_at as submitted',
        'i.finished_at as imported',
        'r.created_at as requested',
        'r.decided_at as approved',
        'r.status',
        eb
          .selectFrom('audit_events')
          .select((inner) => inner.fn.min('created_at').as('at'))
          .where('target', '=', eb.ref('r.code'))
          .where('action', '=', 'request.processing')
          .as('processing'),
      ])
      .where('r.id', '=', requestId)
      .executeTakeFirstOrThrow();
    if (!marks.imported || !marks.approved || !marks.processing)
      throw new Error(`a phase has no end: ${JSON.stringify(marks)}`);
    const accesses = Number(
      (
        await db
          .selectFrom('accesses')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('request_id', '=', requestId)
          .executeTakeFirstOrThrow()
      ).count,
    );
    return {
      marks: {
        status: marks.status,
        submitted: epochMs(marks.submitted),
        imported: epochMs(marks.imported),
        requested: epochMs(marks.requested),
        approved: epochMs(marks.approved),
        processing: epochMs(marks.processing),
      },
      accesses,
      jobs: await jobTimings(db, processes),
    };
  } finally {
    await database.close();
  }
}

/** --cpu-prof: the profiles cut into the phases (the app logged its monotonic clock next to the wall clock). */
async function profileRun(directory: string, logFile: string, windows: PhaseWindow[]): Promise<PhaseProfile[]> {
  const clock = readLogLines(logFile).find((line) => line['message'] === 'bench clock') as {
    monotonicMicros: number;
    wallMs: number;
  };
  return profilePhases(directory, clock, windows);
}

function readLogLines(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

interface CheckSteps {
  downloadMs: number;
  dryRunMs: number;
  storeMs: number;
}

/** pg-boss keeps finished jobs for a while: their start and completion times break each phase down. */
/** `processes`: how many processes run workers (each with its queues' concurrency). */
async function jobTimings(db: Db, processes: number): Promise<JobTiming[]> {
  const { rows } = await sql<{
    name: string;
    jobs: string;
    first_created: Date;
    first_started: Date;
    last_completed: Date;
    busy_ms: number;
    max_wait_ms: number;
  }>`
    select name, count(*) as jobs, min(created_on) as first_created, min(started_on) as first_started, max(completed_on) as last_completed,
           sum(extract(epoch from completed_on - started_on) * 1000)::float8 as busy_ms,
           max(extract(epoch from started_on - created_on) * 1000)::float8 as max_wait_ms
      from pgboss.job where state = 'completed' and name not like '\\_\\_pgboss%' group by name order by min(created_on)`.execute(
    db,
  );
  const concurrency = new Map(queues.map((queue) => [queue.name, queue.concurrency]));
  return rows.map((row) => {
    const spanMs = new Date(row.last_completed).getTime() - new Date(row.first_started).getTime();
    const workers = (concurrency.get(row.name) ?? 1) * processes;
    return {
      queue: row.name,
      jobs: Number(row.jobs),
      spanMs,
      busyMs: row.busy_ms,
      maxWaitMs: row.max_wait_ms,
      // Between the first start and the last completion, the share of the workers' time with no job running.
      idleShare: spanMs > 0 ? Math.max(0, 1 - row.busy_ms / (spanMs * workers)) : 0,
    };
  });
}

const startedAt = new Date();
const workDir = await mkdtemp(path.join(os.tmpdir(), 'domum-bench-run-'));
out(
  `Domum benchmark · ${startedAt.toISOString()} · sizes ${sizes.join(', ')} · Node ${process.version} · ${os.cpus().length} CPUs · load ${os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`,
);
if (workers > 0) out(`Scaled out: 1 domum web and ${workers} domum worker processes instead of one domum start`);
if (args.embedded)
  out(
    `Each size also runs on the embedded database (PGlite, no DATABASE_URL) after PostgreSQL${workers > 0 ? ', as one domum start (the embedded database cannot be shared by processes)' : ''}`,
  );
if (appNodeOptions.length > 0)
  out(`The app runs with extra Node options: ${appNodeOptions.join(' ')} (npm start does not use them)`);
const smtp = await startSmtpProcess();
const results: SizeResult[] = [];
try {
  for (const lines of sizes) {
    const result = await runSize(lines, smtp, workDir);
    results.push(result);
    printSize(out, result);
  }
} finally {
  await smtp.stop();
}
const largest = results.reduce((best, result) => (result.lines > best.lines ? result : best));
const targets = judgeTargets(largest);
printTargets(out, largest, targets);

const postgresVersion = await (async () => {
  const database = await openDatabase({ databaseUrl: ADMIN_URL, dataDir: '' }, quiet);
  try {
    return (
      (await sql<{ server_version: string }>`show server_version`.execute(database.db)).rows[0]?.server_version ??
      'unknown'
    );
  } finally {
    await database.close();
  }
})();
const resultsDir = path.resolve('bench', 'results');
await mkdir(resultsDir, { recursive: true });
const file =
  args.out ??
  path.join(
    resultsDir,
    `${startedAt.toISOString().slice(0, 10)}-${sizes.join('-')}${workers > 0 ? `-workers-${workers}` : ''}${args.embedded ? '-embedded' : ''}.json`,
  );
const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    postgres: postgresVersion,
  },
  settings: {
    probeIntervalMs,
    mailRatePerSecond: Number(MAIL_RATE_LIFTED),
    smtpConnections,
    workers,
    embedded: args.embedded,
    cpuProfile: args['cpu-prof'],
    appNodeOptions,
  },
  sizes: results,
  targets: { judgedAtLines: largest.lines, results: targets },
};
await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
out(
  `\nEvery figure: ${path.relative(process.cwd(), file)}${args['cpu-prof'] ? ` · profiles and logs: ${workDir}` : ` · app logs: ${workDir}`}`,
);
if (results.some((result) => result.problems.length > 0 || (result.embedded?.problems.length ?? 0) > 0))
  process.exitCode = 1;
