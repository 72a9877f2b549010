// The embedded database on its own thread (src/db/pglite-thread.ts), as the servers open it: what Kysely and
// pg-boss ask of PGlite crosses the thread unchanged (parameters, row modes, transactions, PostgreSQL's error
// fields, notifications, dumps), a long statement leaves the event loop free, a thread that dies fails its
// queries instead of leaving them waiting, and closing releases the data directory. Runs on PGlite whatever
// TEST_DATABASE_URL says: it tests the embedded database itself.
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { PGliteThread } from '../../src/db/pglite-thread.ts';
import type { PGliteThreadOptions } from '../../src/db/pglite-thread.ts';
import { createLogger } from '../../src/logger.ts';
import { waitFor } from '../support/wait-for.ts';

const quiet = createLogger({ level: 'error', write: () => undefined });
const opened: Array<{ close(): Promise<void> }> = [];
const directories: string[] = [];
// A new database runs initdb (about 3 s); a dump of one loads in a fraction of that.
let emptyDump: Blob;

beforeAll(async () => {
  const thread = await PGliteThread.open({ dataDir: undefined, loadDump: undefined }, quiet);
  emptyDump = await thread.dumpDataDir();
  await thread.close();
});

afterEach(async () => {
  for (const handle of opened.splice(0)) await handle.close();
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

async function openThread(loadDump = emptyDump, logger = quiet, options?: PGliteThreadOptions): Promise<PGliteThread> {
  const thread = await PGliteThread.open({ dataDir: undefined, loadDump }, logger, options);
  opened.push(thread);
  return thread;
}

async function withTable(): Promise<PGliteThread> {
  const thread = await openThread();
  await thread.exec('create table t (id int primary key, label text not null)');
  return thread;
}

async function labels(thread: PGliteThread): Promise<string[]> {
  return (await thread.query<{ label: string }>('select label from t order by id')).rows.map((row) => row.label);
}

describe('the embedded database on its own thread', () => {
  it('runs queries with parameters in either row mode, and returns DATE as its text', async () => {
    const thread = await openThread();
    await thread.exec(
      'create table kinds (day date, at timestamptz, big bigint, doc jsonb, bytes bytea, tags text[], gone text)',
    );
    const at = new Date('2026-03-04T05:06:07.000Z');
    const inserted = await thread.query('insert into kinds values ($1, $2, $3, $4, $5, $6, $7)', [
      '2026-03-04',
      at,
      5_000_000_000n,
      { a: [1, 'two'] },
      new Uint8Array([0, 1, 255]),
      ['x', 'y'],
      null,
    ]);
    expect(inserted.affectedRows).toBe(1);
    const asObjects = await thread.query('select * from kinds', [], { rowMode: 'object' });
    expect(asObjects.rows).toEqual([
      {
        day: '2026-03-04',
        at,
        big: 5_000_000_000,
        doc: { a: [1, 'two'] },
        bytes: new Uint8Array([0, 1, 255]),
        tags: ['x', 'y'],
        gone: null,
      },
    ]);
    expect(asObjects.fields.map((field) => field.name)).toEqual(['day', 'at', 'big', 'doc', 'bytes', 'tags', 'gone']);
    const asArrays = await thread.query('select day, tags from kinds where day = $1', ['2026-03-04'], {
      rowMode: 'array',
    });
    expect(asArrays.rows).toEqual([['2026-03-04', ['x', 'y']]]);
    expect((await thread.exec('select 1 as one; select 2 as two')).map((result) => result.rows)).toEqual([
      [{ one: 1 }],
      [{ two: 2 }],
    ]);
  });

  it("carries PostgreSQL's error fields across the thread on a real Error", async () => {
    const thread = await withTable();
    await thread.query('insert into t values ($1, $2)', [1, 'first']);
    const error: unknown = await thread.query('insert into t values ($1, $2)', [1, 'again']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      message: 'duplicate key value violates unique constraint "t_pkey"',
      code: '23505',
      constraint: 't_pkey',
      table: 't',
      detail: 'Key (id)=(1) already exists.',
      severity: 'ERROR',
    });
    // The connection is usable after the error.
    expect(await labels(thread)).toEqual(['first']);
  });

  it('commits a transaction, and rolls it back when its callback throws or asks for it', async () => {
    const thread = await withTable();
    const committed = await thread.transaction(async (tx) => {
      await tx.query('insert into t values ($1, $2)', [1, 'committed']);
      return (await tx.query<{ n: number }>('select count(*)::int as n from t')).rows[0]?.n;
    });
    expect(committed).toBe(1);

    const thrown = new Error('the caller changed its mind');
    await expect(
      thread.transaction(async (tx) => {
        await tx.query('insert into t values ($1, $2)', [2, 'thrown away']);
        throw thrown;
      }),
    ).rejects.toBe(thrown);

    await thread.transaction(async (tx) => {
      await tx.exec("insert into t values (3, 'rolled back')");
      await tx.rollback();
      expect(tx.closed).toBe(true);
      await expect(tx.query('select 1')).rejects.toThrow('Transaction is closed');
    });

    // A failed statement the callback swallows still dooms the transaction: COMMIT rolls back, error 25P02
    // (what Kysely turns into its AbortedTransactionError).
    await expect(
      thread.transaction(async (tx) => {
        await tx.query('insert into t values ($1, $2)', [4, 'doomed']);
        await tx.query('insert into t values ($1, $2)', [1, 'duplicate']).catch(() => undefined);
      }),
    ).rejects.toMatchObject({ code: '25P02' });

    expect(await labels(thread)).toEqual(['committed']);
  });

  it('makes every other query wait until the transaction ends (PGlite has one connection)', async () => {
    const thread = await withTable();
    const order: string[] = [];
    let outside: Promise<number | undefined> | undefined;
    await thread.transaction(async (tx) => {
      await tx.query('insert into t values ($1, $2)', [1, 'one']);
      outside = thread.query<{ n: number }>('select count(*)::int as n from t').then((result) => {
        order.push('outside');
        return result.rows[0]?.n;
      });
      // Sent after the outside query: answered first all the same, since the transaction holds the connection.
      await tx.query('insert into t values ($1, $2)', [2, 'two']);
      order.push('inside');
    });
    expect(await outside).toBe(2);
    expect(order).toEqual(['inside', 'outside']);
  });

  it('forwards notifications to listeners until they unlisten', async () => {
    const thread = await openThread();
    const received: string[] = [];
    const unsubscribe = await thread.listen('domum_events', (payload) => received.push(`a:${payload}`));
    await thread.listen('domum_events', (payload) => received.push(`b:${payload}`));
    await thread.query("select pg_notify('domum_events', 'first')");
    await waitFor(() => received.length === 2, { description: 'both listeners told' });
    expect(received.sort()).toEqual(['a:first', 'b:first']);

    await unsubscribe();
    await thread.query("select pg_notify('domum_events', 'second')");
    await waitFor(() => received.length === 3, { description: 'the remaining listener told' });
    expect(received[2]).toBe('b:second');

    await thread.unlisten('domum_events');
    const other: string[] = [];
    await thread.listen('domum_other', (payload) => other.push(payload));
    await thread.exec("select pg_notify('domum_events', 'third'); select pg_notify('domum_other', 'marker')");
    // Notifications arrive in order: once the marker is in, 'third' would have been too.
    await waitFor(() => other.length === 1, { description: 'the marker' });
    expect(received).toHaveLength(3);
  });

  it('dumps the database, and opens a new one from the dump', async () => {
    const thread = await withTable();
    await thread.query('insert into t values ($1, $2)', [1, 'kept']);
    const dump = await thread.dumpDataDir();
    expect(dump.size).toBeGreaterThan(0);
    const copy = await openThread(dump);
    expect(await labels(copy)).toEqual(['kept']);
  });

  it('keeps the event loop free while a long statement runs', async () => {
    const database = await openDatabase({ dataDir: '', inMemory: true, loadDump: emptyDump }, quiet);
    opened.push(database);
    // The longest time between two turns of the event loop (a timer every 10 ms), up to the statement's answer.
    let longestGapMs = 0;
    let last = performance.now();
    const measureGap = () => {
      const now = performance.now();
      longestGapMs = Math.max(longestGapMs, now - last);
      last = now;
    };
    const ticking = setInterval(measureGap, 10);
    const started = performance.now();
    try {
      await sql`select pg_sleep(1.5)`.execute(database.db);
      measureGap();
    } finally {
      clearInterval(ticking);
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_400);
    // On the main thread the statement held the event loop for all of its 1.5 s.
    expect(longestGapMs).toBeLessThan(500);
  });

  it('fails every query at once, and logs it, when its thread dies', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'error', write: (line) => lines.push(line) });
    // 32 MB of heap: a result of a million JSON objects runs the thread out of memory.
    const thread = await openThread(undefined, logger, { resourceLimits: { maxOldGenerationSizeMb: 32 } });
    expect(await thread.query('select 1 as one')).toMatchObject({ rows: [{ one: 1 }] });
    await expect(
      thread.query("select jsonb_agg(jsonb_build_object('n', n)) from generate_series(1, 1000000) n"),
    ).rejects.toThrow(/the embedded database's thread stopped .*out of memory/);
    expect(thread.closed).toBe(true);
    await expect(thread.query('select 1')).rejects.toThrow(/thread stopped/);
    expect(lines.map((line) => JSON.parse(line) as { level: string; message: string })).toEqual([
      expect.objectContaining({ level: 'error', message: 'the embedded database stopped' }),
    ]);
    await thread.close();
  });

  it('writes to its data directory, and releases it when closed', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'domum-pglite-thread-'));
    directories.push(dataDir);
    const lockFile = path.join(dataDir, 'pgdata.lock');
    const first = await openDatabase({ dataDir, loadDump: emptyDump }, quiet);
    await first.runScript("create table t (label text); insert into t values ('on disk')");
    await access(lockFile);
    await first.close();
    await expect(access(lockFile)).rejects.toThrow();
    const second = await openDatabase({ dataDir }, quiet);
    opened.push(second);
    expect((await sql<{ label: string }>`select label from t`.execute(second.db)).rows).toEqual([{ label: 'on disk' }]);
  });
});
