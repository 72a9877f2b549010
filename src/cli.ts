#!/usr/bin/env -S node --experimental-strip-types --disable-warning=ExperimentalWarning
// `domum <command>`: the operator's entry point. Every command has --help; none is a placeholder.
import { realpathSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import type { Config, ConfigPurpose } from './config.ts';
import type { DatabaseHandle } from './db/client.ts';
import type { Db } from './db/schema.ts';
import { EmbeddedDatabaseBusyError } from './db/embedded-lock.ts';
import { createLogger } from './logger.ts';
import type { Logger } from './logger.ts';
import type { ProcessRole } from './main.ts';
import { checkReadLines, readForDryRun } from './usecases/dry-run-import.ts';
import type { DryRun } from './usecases/dry-run-import.ts';
import { catalogFormatFromFileName } from './catalog-file/read-catalog-file.ts';
import { describeDryRunCounts } from './domain/import-counts.ts';
import { formatErrorLine } from './domain/import-lines.ts';
import { parseItemCode } from './domain/codes.ts';

// The server (main.ts), the status texts and the template writer are imported where a command needs them, not
// here: they bring date-fns's ES module index, whose loading alone peaks above 500 MB, and SheetJS. A command
// pays only for what it runs. The database modules (Kysely, pg, PGlite, pg-boss, the migrator: about 25 MB) are
// loaded only once a command opens the database, so `domum validate` reads its file without them (README
// "Benchmarks": 50,000 lines peak at about 265 MB).

interface Command {
  usage: string;
  summary: string;
  help: string;
  run(args: string[]): Promise<number>;
}

const serveHelp = (what: string) =>
  `${what}\n\nConfiguration comes from the environment (README.md, section "Configuration").\nStops cleanly on SIGTERM or SIGINT: stops taking work, lets running jobs finish, closes the database.`;

const commands: Record<string, Command> = {
  start: {
    usage: 'domum start',
    summary: 'migrate, then serve Slack and the web pages and run the workers in one process',
    help: serveHelp(
      'Applies pending migrations, then serves Slack (/slack/events or Socket Mode), the landing pages and /healthz, /readyz, and runs the background workers.',
    ),
    run: () => serve('all'),
  },
  web: {
    usage: 'domum web',
    summary: 'serve Slack and the web pages only (run several behind a load balancer)',
    help: serveHelp('Serves Slack and the web pages without running background jobs. Run `domum migrate` first.'),
    run: () => serve('web'),
  },
  worker: {
    usage: 'domum worker',
    summary: 'run the background workers only',
    help: serveHelp('Runs the background jobs (and /healthz, /readyz for probes). Run `domum migrate` first.'),
    run: () => serve('worker'),
  },
  migrate: {
    usage: 'domum migrate',
    summary: 'apply pending database migrations',
    help: 'Applies the SQL migrations in migrations/ that have not run yet, and installs or upgrades the job queue schema.\nRunning it again when nothing is pending changes nothing.',
    run: () => {
      return withMigratedDatabase('info', (_database, _config, applied) => {
        process.stdout.write(
          applied.length > 0
            ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`
            : 'The database is up to date: nothing to apply.\n',
        );
        return 0;
      });
    },
  },
  validate: {
    usage: 'domum validate <spreadsheet>',
    summary: 'the dry run of an import, printed as a table (exit 1: lines in error, 2: file refused)',
    help: 'domum validate <spreadsheet.xlsx|xls|ods|csv>\n\nChecks every line exactly as the Slack preview does, against the catalog and the users already\nregistered, and prints each line with its predicted outcome. Nothing is written.\nExit code: 0 when every line can be imported, 1 when a line is in error, 2 when the whole file is refused.',
    run: async (args) => {
      const [file, ...extra] = args;
      if (!file || extra.length > 0) {
        process.stderr.write('Usage: domum validate <spreadsheet>\n');
        return 2;
      }
      const read = await readInputFile(file);
      if (!read) return 2;
      const config = configFor('database');
      const fileName = path.basename(file);
      // Read before the database is opened: a refused file needs no database at all.
      // Read in this thread, not in the worker the app uses to keep Slack's acknowledgements fast: a command has no
      // one waiting on its event loop, and the heap pages a worker used stay with the process after it ends (see
      // read-off-thread.ts), where the database and the validation then add to them; read here, the validation
      // reuses them. A 50,000-line file peaked at 306–313 MB through the worker, about 265 MB here. What the
      // command gives up is the worker's heap limit: a file the app refuses as needing more than 256 MB to read is
      // read here all the same (the size, line and zip limits still bound it). The reader alone, not the whole
      // SheetJS adapter: no results spreadsheet is written here.
      const { readSpreadsheet } = await import('./spreadsheet/read-spreadsheet.ts');
      const sheet = await readForDryRun(
        { read: (bytes, name, limits) => Promise.resolve(readSpreadsheet(bytes, name, limits)) },
        {
          bytes: read,
          fileName,
          limits: { maxBytes: config.importMaxBytes, maxRows: config.importMaxRows },
        },
      );
      if (!sheet.ok) {
        process.stderr.write(`${fileName} cannot be imported: ${sheet.refusal.message}\n`);
        return 2;
      }
      return withMigratedDatabase('warn', async (database) => {
        const dryRun = await checkReadLines(database.db, sheet);
        for (const piece of validationReport(fileName, dryRun)) process.stdout.write(piece);
        return dryRun.counts.error > 0 ? 1 : 0;
      });
    },
  },
  template: {
    usage: 'domum template <out.xlsx>',
    summary: 'write the spreadsheet template (header row, an example line, instructions)',
    help: 'domum template <out.xlsx>\n\nWrites the import template: a Users sheet with the header row and one example line, and an\nInstructions sheet explaining every column. An existing file is not overwritten.',
    run: async (args) => {
      const [file, ...extra] = args;
      if (!file || extra.length > 0 || !/\.xlsx$/i.test(file)) {
        process.stderr.write('Usage: domum template <out.xlsx>\n');
        return 2;
      }
      const { writeTemplateWorkbook } = await import('./spreadsheet/write-template.ts');
      try {
        await writeFile(file, writeTemplateWorkbook(), { flag: 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        process.stderr.write(
          code === 'EEXIST'
            ? `${file} already exists; choose another name.\n`
            : `${file}: cannot write the file (${code ?? (error as Error).message})\n`,
        );
        return 2;
      }
      process.stdout.write(`Wrote the template to ${file}\n`);
      return 0;
    },
  },
  status: {
    usage: 'domum status <IMP-…|W…|EXT-…>',
    summary: 'print one import, request or access in detail, as /domum status shows it',
    help: 'domum status <IMP-…|W…|EXT-…>\n\nPrints what `/domum status <code>` shows in Slack: for an import its counts and error lines, for a\nrequest its decisions and progress, for an access its user, schedule, state, first access and sessions.\nExit code 0 when found, 1 when there is no such code, 2 when the argument is not a code.',
    run: async (args) => {
      const [text, ...extra] = args;
      if (!text || extra.length > 0 || !parseItemCode(text)) {
        process.stderr.write(`Usage: domum status <IMP-…|W…|EXT-…>  (e.g. IMP-000123, W000123, EXT-26-000123)\n`);
        return 2;
      }
      return withMigratedDatabase('warn', async (database) => {
        const report = await statusReport(database.db, text, new Date());
        process.stdout.write(report.stdout);
        process.stderr.write(report.stderr);
        return report.exitCode;
      });
    },
  },
  catalog: {
    usage: 'domum catalog load <file.yaml|file.json>',
    summary: 'load vendors, access groups, reasons, devices, credentials and roles from a catalog file',
    help: 'domum catalog load <file.yaml|file.json>\n\nUpserts vendors, access groups (with approvers), reasons, devices, credentials and role assignments\n(admins, importers, requesters) from a catalog file (README.md, section "The catalog").\nLoading the same file twice changes nothing and says so. An invalid file is refused whole, with every problem listed.',
    run: async (args) => {
      const [action, file, ...extra] = args;
      if (action !== 'load' || !file || extra.length > 0) {
        process.stderr.write(`Usage: domum catalog load <file.yaml|file.json>\n`);
        return 2;
      }
      const format = catalogFormatFromFileName(file);
      if (!format) {
        process.stderr.write(`${file}: a catalog file must end in .yaml, .yml or .json\n`);
        return 2;
      }
      const read = await readInputFile(file);
      if (!read) return 2;
      const text = read.toString('utf8');
      return withMigratedDatabase('warn', async (database) => {
        const { formatCatalogReport, loadCatalog } = await import('./usecases/load-catalog.ts');
        const result = await loadCatalog(database.db, { text, format });
        if (!result.ok) {
          process.stderr.write(
            `${path.basename(file)} was refused; nothing was changed. ${result.problems.length} problem(s):\n${result.problems.map((p: string) => `  ${p}`).join('\n')}\n`,
          );
          return 1;
        }
        process.stdout.write(`${formatCatalogReport(result.changes)}\n`);
        return 0;
      });
    },
  },
};

/** What `domum status <code>` prints: the detail `/domum status <code>` shows, as plain text. */
export async function statusReport(
  db: Db,
  text: string,
  now: Date,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const code = parseItemCode(text);
  if (!code)
    return {
      exitCode: 2,
      stdout: '',
      stderr: `${text} is not a code: codes look like IMP-000123, W000123 or EXT-26-000123.\n`,
    };
  const { findStatusDetail } = await import('./usecases/status-report.ts');
  const { describeStatusDetail, plainStyle } = await import('./slack/blocks/status-blocks.ts');
  // The operator sees everything; approver user groups are a Slack matter and play no part here.
  const detail = await findStatusDetail({ db, usergroupMembers: () => Promise.resolve([]) }, code, 'operator');
  if (!detail) return { exitCode: 1, stdout: '', stderr: `No import, request or access ${code.code}.\n` };
  return {
    exitCode: 0,
    stdout: `${describeStatusDetail(detail, now, plainStyle).paragraphs.join('\n\n')}\n`,
    stderr: '',
  };
}

/** Errors whose message already tells the operator what to do: printed as they are. */
async function isWrittenForOperators(error: unknown): Promise<boolean> {
  if (error instanceof ConfigError || error instanceof EmbeddedDatabaseBusyError) return true;
  // Only the server commands meet Slack, and they have loaded the Slack adapter by then (see the imports).
  const { SlackAuthError } = await import('./slack/slack-app.ts');
  return error instanceof SlackAuthError;
}

/** A file named on the command line, or undefined after saying why it cannot be read. */
async function readInputFile(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    process.stderr.write(
      `${file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`,
    );
    return undefined;
  }
}

function configFor(purpose: ConfigPurpose) {
  return loadConfig(process.env, purpose);
}

/** Commands that work on the database open it, bring it up to date, run, and always close it. */
async function withMigratedDatabase(
  level: 'info' | 'warn',
  run: (database: DatabaseHandle, config: Config, applied: string[]) => number | Promise<number>,
): Promise<number> {
  const config = configFor('database');
  const logger = createLogger({ level });
  const { openDatabase } = await import('./db/client.ts');
  const { migrateAll } = await import('./db/migrator.ts');
  const database = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, oneOff: true },
    logger,
  );
  try {
    return await run(database, config, await migrateAll(database, logger));
  } finally {
    await database.close();
  }
}

async function serve(role: ProcessRole): Promise<number> {
  const config = configFor(role === 'worker' ? 'worker' : 'slack');
  const logger: Logger = createLogger({ level: config.logLevel, base: { process: role } });
  const { startDomum } = await import('./main.ts');
  const running = await startDomum({ config, role, logger });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info('stopping', { signal });
      running.stop().then(resolve, (error: unknown) => {
        logger.error('shutdown failed', { error });
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.info('stopped');
  return 0;
}

// The report is written a few hundred lines at a time: 50,000 lines built into one string first would hold every
// formatted line in memory at once, for no reader's benefit.
const REPORT_CHUNK_LINES = 500;

/** The dry run as a table, in pieces to write in order: one row per line (outcome, email, errors), then the counts. */
export function* validationReport(fileName: string, dryRun: DryRun): Generator<string> {
  const header = { line: 'Line', outcome: 'Outcome', email: 'Email', errors: 'Errors' };
  let lineWidth = header.line.length;
  let outcomeWidth = header.outcome.length;
  let emailWidth = header.email.length;
  for (const line of dryRun.lines) {
    lineWidth = Math.max(lineWidth, String(line.lineNumber).length);
    outcomeWidth = Math.max(outcomeWidth, line.outcome.length);
    emailWidth = Math.max(emailWidth, (line.email ?? '').length);
  }
  emailWidth = Math.min(emailWidth, 48);
  const format = (row: typeof header) =>
    `${row.line.padStart(lineWidth)}  ${row.outcome.padEnd(outcomeWidth)}  ${row.email.padEnd(emailWidth)}  ${row.errors}`.trimEnd();
  const unknown =
    dryRun.rows.unknownColumns.length > 0 ? `Ignored columns: ${dryRun.rows.unknownColumns.join(', ')}\n` : '';
  yield `${fileName} (sheet ${dryRun.rows.sheetName})\n${unknown}${format(header)}\n`;
  for (let start = 0; start < dryRun.lines.length; start += REPORT_CHUNK_LINES) {
    let piece = '';
    for (const line of dryRun.lines.slice(start, start + REPORT_CHUNK_LINES)) {
      const errors = line.errors
        .map((error) => formatErrorLine(line.lineNumber, error).replace(/^line \d+ · /, ''))
        .join('; ');
      piece += `${format({ line: String(line.lineNumber), outcome: line.outcome, email: line.email ?? '', errors })}\n`;
    }
    yield piece;
  }
  yield `\n${describeDryRunCounts(dryRun.counts).join('\n')}\n`;
}

function usage(): string {
  const width = Math.max(...Object.values(commands).map((command) => command.usage.length));
  const lines = Object.values(commands).map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`);
  return `Domum for Slack\n\nUsage:\n${lines.join('\n')}\n\nRun \`domum <command> --help\` for details.\n`;
}

export async function runCli(argv: string[]): Promise<number> {
  // Not strict, so the refusal below can name the command and show its usage instead of parseArgs's own wording;
  // every option but --help is refused, so a mistyped flag never runs a command as if it were absent.
  const { positionals, values, tokens } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  const [name, ...rest] = positionals;
  // Own keys only: `domum constructor` is an unknown command, not Object.prototype's.
  const command = name !== undefined && Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (name !== undefined && !command) {
    process.stderr.write(`Unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  const refused = tokens.find(
    (token) => token.kind === 'option' && (token.name !== 'help' || token.value !== undefined),
  );
  if (refused?.kind === 'option') {
    const problem =
      refused.name === 'help'
        ? `${refused.rawName} takes no value (${refused.rawName}=${refused.value ?? ''})`
        : `Unknown option "${refused.rawName}" for domum${command ? ` ${name}` : ''}: the only option is --help (-h)`;
    const dashedFile = command?.usage.includes('<')
      ? `A file name or argument that starts with - goes after --, as in: ${command.usage.replace('<', '-- <')}\n`
      : '';
    const help = command ? `Usage: ${command.usage}\nRun \`domum ${name} --help\` for details.\n` : usage();
    process.stderr.write(`${problem}.\n${dashedFile}\n${help}`);
    return 2;
  }
  if (!command) {
    process.stdout.write(usage());
    return values.help ? 0 : 2;
  }
  if (values.help) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  return command.run(rest);
}

// Run when executed (node src/cli.ts, the npm bin link), not when imported by tests.
const isEntryPoint =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(new URL(import.meta.url));
if (isEntryPoint) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    async (error: unknown) => {
      if (await isWrittenForOperators(error)) {
        process.stderr.write(`${(error as Error).message}\n`);
      } else {
        process.stderr.write(`domum: ${(error as Error).message ?? String(error)}\n`);
      }
      process.exitCode = 1;
    },
  );
}
