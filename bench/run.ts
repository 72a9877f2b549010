// `npm run bench [-- --sizes 1000,10000,50000] [--probe-ms 100] [--cpu-prof] [--keep-database] [--app-node-options=…]`
// For each size: a generated spreadsheet goes through the real app (its own process, on a fresh PostgreSQL
// database) from the upload to the provisioning summary, driven the way Slack drives it (signed requests,
// the fake Web API on loopback, an SMTP server on loopback), while signed `/domum help` commands measure
// the acknowledgement latency. Then the bare libraries do the same work (the floors). Prints every figure,
// the ratios and the targets, and writes them all to bench/results/<date>-<sizes>.json.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/client.ts';
import { migrateAll } from '../src/db/migrator.ts';
import type { Db } from '../src/db/schema.ts';
import { queues } from '../src/jobs/queues.ts';
import { createLogger } from '../src/logger.ts';
import { APPROVE_MODAL_CALLBACK, COMMENT_BLOCK, DECISION_TEXT_ACTION } from '../src/slack/ids.ts';
import { loadCatalog } from '../src/usecases/load-catalog.ts';
import { startFakeSlackApi } from '../test/support/fake-slack-api.ts';
import { fixturePath } from '../test/support/fixtures.ts';
import { runAdmin, withDatabase } from '../test/support/global-setup.ts';
import { createRequestThroughWizard } from '../test/support/request-driver.ts';
import { createSlackDriver } from '../test/support/slack-driver.ts';
import type { TestApp } from '../test/support/test-app.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { startAckProbe, summarizeAcks } from './ack-probe.ts';
import { nodemailerFloor, postgresInsertFloor, sheetJsFloor } from './floors.ts';
import type { Floor } from './floors.ts';
import { startAppProcess, startScaledOutApp, startSmtpProcess } from './processes.ts';
import type { SmtpProcess } from './processes.ts';
import { startProcessGroupSampler, startProcessSampler } from './process-sampler.ts';
import { profilePhases } from './profile-phases.ts';
import type { PhaseProfile, PhaseWindow } from './profile-phases.ts';
import { printSize, printTargets, judgeTargets } from './report.ts';
import type { JobTiming, SizeResult } from './report.ts';
import { measureValidate } from './validate-memory.ts';
import { benchWorkbook } from './workbook.ts';

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

// eslint-disable-next-line max-lines-per-function -- one bench run told in order (each phase timed where it happens); the figures it gathers are read together at its end.
async function runSize(lines: number, smtp: SmtpProcess, workDir: string): Promise<SizeResult> {
  out(`\n▶ ${lines.toLocaleString('en-US')} lines: generating the spreadsheet…`);
  const workbook = benchWorkbook(lines);
  const loadBefore = os.loadavg()[0] ?? 0;
  const workbookFile = path.join(workDir, `bench-${lines}.xlsx`);
  await writeFile(workbookFile, workbook.bytes);
  const sheetJs = await sheetJsFloor(workbookFile);

  const databaseName = `domum_bench_${randomBytes(5).toString('hex')}`;
  await runAdmin(ADMIN_URL, `CREATE DATABASE ${databaseName}`);
  const databaseUrl = withDatabase(ADMIN_URL, databaseName);
  const slackApi = await startFakeSlackApi();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'domum-bench-'));
  const logFile = path.join(workDir, `app-${lines}.log`);
  const cpuProfileDir = args['cpu-prof'] ? path.join(workDir, `cpu-${lines}`) : undefined;
  out(`  database ${databaseName}, app log ${logFile}${cpuProfileDir ? `, CPU profiles in ${cpuProfileDir}` : ''}`);
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
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Domum <no-reply@domum.example>',
      MAIL_RATE_PER_SECOND: MAIL_RATE_LIFTED,
      SMTP_CONNECTIONS: String(smtpConnections),
      PUBLIC_BASE_URL: 'https://domum.example.com',
      LOG_LEVEL: 'info',
    },
  };
  const database = await openDatabase({ databaseUrl, dataDir: '' }, quiet);
  const db = database.db;
  // Scaled out, nothing runs `domum start`'s migrations: the driver runs them, as `domum migrate` would.
  if (workers > 0) await migrateAll(database, quiet);
  const app =
    workers > 0
      ? await startScaledOutApp({ ...appOptions, workers })
      : { ...(await startAppProcess(appOptions)), pids: undefined };
  const logFiles = [
    logFile,
    ...Array.from({ length: workers }, (_, index) => logFile.replace(/\.log$/, `-worker-${index + 1}.log`)),
  ];
  const sampler = app.pids ? startProcessGroupSampler(app.pids) : startProcessSampler(app.pid);
  const memoryAtStart = await app.stats();
  let failed = true;
  try {
    const loaded = await loadCatalog(db, { text: readFileSync(fixturePath('catalog.yaml'), 'utf8'), format: 'yaml' });
    if (!loaded.ok) throw new Error('the test catalog did not load');
    const slack = createSlackDriver({
      baseUrl: `http://127.0.0.1:${app.port}`,
      signingSecret: SIGNING_SECRET,
      fakeApi: slackApi,
    });
    const mailBefore = (await smtp.count()).messages;

    out('  running: upload → preview → wizard → import → approval → accesses → emails → summary');
    const probe = startAckProbe(slack, { intervalMs: probeIntervalMs, userId: PROBE_USER });
    // request-driver reads the database and drives Slack; that is all of a TestApp it uses.
    const driverApp = { running: { deps: { db } }, slackApi, slack } as unknown as TestApp;
    const request = await createRequestThroughWizard(driverApp, {
      requester: REQUESTER,
      channel: CHANNEL,
      file: `bench-${lines}.xlsx`,
      bytes: workbook.bytes,
    });
    const { import_id: importId } = await db
      .selectFrom('access_requests')
      .select('import_id')
      .where('id', '=', request.id)
      .executeTakeFirstOrThrow();
    // Approve only once the users exist, so the import and provisioning phases do not overlap.
    await waitFor(
      async () =>
        (await db.selectFrom('imports').select('status').where('id', '=', importId).executeTakeFirst())?.status ===
        'done',
      { timeoutMs: 600_000, description: 'the import to be done' },
    );
    await slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
      60_000,
    );
    const approval = await slack.interactive({
      type: 'view_submission',
      user: { id: APPROVER, team_id: 'T0TEAM001' },
      view: {
        id: 'VBENCHAPPROVE',
        type: 'modal',
        callback_id: APPROVE_MODAL_CALLBACK,
        private_metadata: JSON.stringify({ requestId: request.id }),
        state: { values: { [COMMENT_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: '' } } } },
      },
    });
    if (approval.status !== 200) throw new Error(`the approval was answered ${approval.status}: ${approval.text}`);
    const summary = await slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith('Summary'),
      1_800_000,
    );
    const { samples: ackSamples, ...acks } = await probe.stop();
    sampler.stop();
    const memory = await app.stats();
    const loadAfter = os.loadavg()[0] ?? 0;

    // Phase boundaries, all on this machine's clock.
    const preview = slackApi.callsTo('views.update')[0];
    if (!preview || !JSON.stringify(preview.args.view).includes(`${lines} lines`))
      throw new Error('the first views.update was not the preview');
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
      .where('r.id', '=', request.id)
      .executeTakeFirstOrThrow();
    if (!marks.imported || !marks.approved || !marks.processing)
      throw new Error(`a phase has no end: ${JSON.stringify(marks)}`);
    const at = (value: Date | string | number) => new Date(value).getTime();
    const accesses = Number(
      (
        await db
          .selectFrom('accesses')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('request_id', '=', request.id)
          .executeTakeFirstOrThrow()
      ).count,
    );
    const emails = (await smtp.count()).messages - mailBefore;
    const problems: string[] = [];
    if (marks.status !== 'completed') problems.push(`request status ${marks.status}, expected completed`);
    if (accesses !== workbook.activeLines) problems.push(`${accesses} accesses, expected ${workbook.activeLines}`);
    if (emails !== 2 * workbook.activeLines)
      problems.push(`${emails} emails received, expected ${2 * workbook.activeLines}`);
    if (acks.failures > 0) problems.push(`${acks.failures} Slack acknowledgements failed`);
    if (slackApi.violations.length > 0) problems.push(`Block Kit violations: ${JSON.stringify(slackApi.violations)}`);
    const jobs = await jobTimings(db, Math.max(1, workers));
    const checkSteps = logFiles
      .flatMap((file) => readLogLines(file))
      .find((line) => line['message'] === 'bench import check') as CheckSteps | undefined;
    if (!checkSteps) throw new Error('the app published no check timings');
    const windows: PhaseWindow[] = [
      { name: 'check', startWallMs: at(marks.submitted), endWallMs: at(preview.at) },
      { name: 'import', startWallMs: at(marks.requested), endWallMs: at(marks.imported) },
      { name: 'provisioning', startWallMs: at(marks.approved), endWallMs: at(marks.processing) },
      { name: 'email', startWallMs: at(marks.processing), endWallMs: at(summary.at) },
    ];

    const appCpuMs = Object.fromEntries(
      windows.map((window) => [window.name, sampler.cpuMsBetween(window.startWallMs, window.endWallMs)]),
    ) as SizeResult['appCpuMs'];
    const acksByPhase = Object.fromEntries(
      windows.map((window) => [
        window.name,
        summarizeAcks(
          ackSamples.filter((sample) => sample.sentAt >= window.startWallMs && sample.sentAt < window.endWallMs),
        ),
      ]),
    ) as SizeResult['acksByPhase'];
    const appMaxRssBytes = Object.fromEntries(
      windows.map((window) => [window.name, sampler.maxRssBytesBetween(window.startWallMs, window.endWallMs)]),
    ) as SizeResult['appMaxRssBytes'];

    await app.stop();
    await slackApi.close();
    await database.close();
    let profile: PhaseProfile[] | undefined;
    if (cpuProfileDir) {
      const clock = readLogLines(logFile).find((line) => line['message'] === 'bench clock') as {
        monotonicMicros: number;
        wallMs: number;
      };
      profile = await profilePhases(cpuProfileDir, clock, windows);
    }

    out('  floors: PostgreSQL insert, nodemailer…');
    const postgres = await postgresInsertFloor(databaseUrl, lines);
    const mailBeforeFloor = (await smtp.count()).messages;
    const mail: Floor = await nodemailerFloor(smtp.url, emails, smtpConnections);
    const floorEmails = (await smtp.count()).messages - mailBeforeFloor;
    if (floorEmails !== emails) problems.push(`the nodemailer floor delivered ${floorEmails} of ${emails}`);
    out('  domum validate of the same file…');
    const validate = await measureValidate(workbookFile);

    failed = false;
    return {
      lines,
      activeLines: workbook.activeLines,
      fileBytes: workbook.bytes.length,
      accesses,
      emails,
      phasesMs: {
        check: at(preview.at) - at(marks.submitted),
        checkDownload: checkSteps.downloadMs,
        checkDryRun: checkSteps.dryRunMs,
        checkStore: checkSteps.storeMs,
        import: at(marks.imported) - at(marks.requested),
        provisioning: at(marks.processing) - at(marks.approved),
        email: at(summary.at) - at(marks.processing),
        total: at(summary.at) - at(marks.submitted),
      },
      appCpuMs,
      appMaxRssBytes,
      windows,
      floors: { sheetJs, postgres, mail },
      acks,
      acksByPhase,
      peakRssBytes: memory.maxRssBytes,
      startupPeakRssBytes: memoryAtStart.maxRssBytes,
      validate,
      jobs,
      loadAverage: { before: loadBefore, after: loadAfter },
      problems,
      ...(profile ? { profile } : {}),
    };
  } finally {
    sampler.stop();
    if (failed) {
      await app.stop().catch(() => undefined);
      await slackApi.close().catch(() => undefined);
      await database.close().catch(() => undefined);
    }
    if (failed || args['keep-database']) out(`  kept the database: ${databaseUrl}`);
    else await runAdmin(ADMIN_URL, `DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await rm(dataDir, { recursive: true, force: true });
  }
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
    `${startedAt.toISOString().slice(0, 10)}-${sizes.join('-')}${workers > 0 ? `-workers-${workers}` : ''}.json`,
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
if (results.some((result) => result.problems.length > 0)) process.exitCode = 1;
