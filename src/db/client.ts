// Opens the database: PostgreSQL over `pg` when DATABASE_URL is set, otherwise embedded PostgreSQL (PGlite)
// under DATA_DIR, on its own thread in the servers. Everything above this file sees the same Kysely instance
// and pg-boss database adapter.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { fromPglite } from 'pg-boss';
import type { Db as IDatabase } from 'pg-boss';
import type { Logger } from '../logger.ts';
import type { Db } from './schema.ts';
import { DATE_OID, keepDateAsText } from './date-type.ts';
import { lockEmbeddedDatabase } from './embedded-lock.ts';
import { PGliteThread } from './pglite-thread.ts';

export interface DatabaseTarget {
  /** PostgreSQL connection string; unset means the embedded default. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Tests start PGlite from a migrated dump instead of an empty directory. */
  loadDump?: Blob | undefined;
  /** Tests keep PGlite in memory. */
  inMemory?: boolean | undefined;
  /**
   * A command that opens the database once, runs a few queries and exits (`domum validate`, `catalog load`,
   * `status`, `migrate`), not a server: the embedded database stays on the main thread and keeps less memory at
   * the cost of speed on long runs. Changes a V8 setting for the whole process (see openOnThisThread).
   */
  oneOff?: boolean | undefined;
}

export interface DatabaseHandle {
  kind: 'postgres' | 'pglite';
  db: Db;
  /** How pg-boss reaches the same database (its own pool for PostgreSQL, the same instance for PGlite). */
  bossConnection: { connectionString: string } | { db: IDatabase; backend: 'pglite' };
  /** Runs a multi-statement SQL script atomically (migrations). */
  runScript(script: string): Promise<void>;
  /** Whether migrations may run inside a Kysely transaction (false for PGlite: see runScript). */
  transactionalMigrations: boolean;
  ping(timeoutMs?: number): Promise<void>;
  /** Embedded only: a copy of the whole database (tests migrate once and load the copy per test). */
  dump?: () => Promise<Blob>;
  close(): Promise<void>;
}

export async function openDatabase(target: DatabaseTarget, logger: Logger): Promise<DatabaseHandle> {
  return target.databaseUrl ? openPostgres(target.databaseUrl, logger) : openEmbedded(target, logger);
}

function openPostgres(databaseUrl: string, logger: Logger): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types: {
      getTypeParser: (oid: number, format?: string) =>
        oid === DATE_OID
          ? keepDateAsText
          : (pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown),
    },
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, that would kill the process
  // during a PostgreSQL restart instead of letting the pool reconnect.
  pool.on('error', (error) => logger.warn('database connection lost', { error: error.message }));
  // pg-pool listens for errors only on idle clients: a client in use when the server goes away emits 'error'
  // with no listener, an uncaught exception that would kill the process. Its query fails with that error and
  // the caller handles it; the event itself only needs a listener.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    bossConnection: { connectionString: databaseUrl },
    transactionalMigrations: true,
    // Without parameters node-postgres uses the simple query protocol, which accepts several statements.
    runScript: async (script) => {
      await pool.query(script);
    },
    ping: (timeoutMs = 2_000) => pingWithTimeout(db, timeoutMs),
    close: () => db.destroy(),
  };
}

async function openEmbedded(target: DatabaseTarget, logger: Logger): Promise<DatabaseHandle> {
  let dataDir: string | undefined;
  let unlock = async () => {};
  if (!target.inMemory) {
    dataDir = path.resolve(target.dataDir, 'pgdata');
    await mkdir(dataDir, { recursive: true });
    unlock = await lockEmbeddedDatabase(dataDir);
  }
  let pglite: PGlite | PGliteThread;
  try {
    pglite = target.oneOff
      ? await openOnThisThread(dataDir, target.loadDump)
      : await PGliteThread.open({ dataDir, loadDump: target.loadDump }, logger);
  } catch (error) {
    await unlock();
    throw error;
  }
  const db: Db = new Kysely({ dialect: new PGliteDialect({ pglite }) });
  return {
    kind: 'pglite',
    db,
    bossConnection: { db: fromPglite(pglite), backend: 'pglite' },
    // PGlite's query() is single-statement; exec() takes a script and runs it as one implicit transaction.
    // It bypasses Kysely, so migrations must not hold a Kysely transaction at the same time (it would wait
    // on PGlite's transaction lock forever).
    transactionalMigrations: false,
    runScript: async (script) => {
      await pglite.exec(script);
    },
    ping: (timeoutMs = 2_000) => pingWithTimeout(db, timeoutMs),
    dump: () => pglite.dumpDataDir('none'),
    close: async () => {
      await db.destroy();
      await unlock();
    },
  };
}

// The one-off commands keep PGlite on the main thread: they answer no Slack request while a statement runs, and
// a second thread would add its own heap to what `domum validate` holds. The servers run it on its own thread
// (pglite-thread.ts), where a long statement does not hold up Slack's acknowledgements.
async function openOnThisThread(dataDir: string | undefined, loadDump: Blob | undefined): Promise<PGlite> {
  // V8 recompiles hot WebAssembly functions with its optimising compiler, and PostgreSQL's SQL parser
  // (raw_parser, about 100 KB of WebAssembly) gets hot within a few dozen queries: compiling it takes about
  // 600 MB for a second, which a server pays once and a short command every time. This keeps every function
  // on the baseline compiler (the filter names function 0, an import, which is never compiled). It must be
  // set before PGlite compiles its module, and cannot be undone for the process.
  v8.setFlagsFromString('--wasm-tier-up-filter=0');
  return PGlite.create(dataDir, {
    parsers: { [DATE_OID]: keepDateAsText },
    ...(loadDump ? { loadDataDir: loadDump } : {}),
    // PostgreSQL's default 128 MB of shared buffers is memory PGlite's WebAssembly heap touches at start;
    // a command's few queries need a fraction of it.
    startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=4MB'],
  });
}

async function pingWithTimeout(db: Db, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([sql`select 1`.execute(db), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
