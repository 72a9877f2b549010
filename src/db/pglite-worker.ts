// Owns the embedded database (PGlite) in a worker thread, for the server processes (see pglite-thread.ts, the
// main thread's side). PGlite is PostgreSQL compiled to WebAssembly and runs on the thread that calls it: here a
// long statement (a checkpoint after 50,000 rows are written takes seconds) holds this thread's event loop, not
// the one answering Slack.
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { QueryOptions, Transaction } from '@electric-sql/pglite';
import { DATE_OID, keepDateAsText } from './date-type.ts';

export interface PGliteWorkerData {
  /** Unset: in memory. */
  dataDir: string | undefined;
  loadDump: Blob | undefined;
}

export type PGliteRequest = { id: number } & (
  | { op: 'query'; tx?: number | undefined; sql: string; params: unknown[] | undefined; options: QueryOptions }
  | { op: 'exec'; tx?: number | undefined; sql: string }
  | { op: 'begin' }
  | { op: 'rollback'; tx: number }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'listen'; channel: string }
  | { op: 'unlisten'; listener: number }
  | { op: 'dump'; compression: Parameters<PGlite['dumpDataDir']>[0] }
  | { op: 'close' }
);

export type PGliteReply =
  | { type: 'ready' }
  | { type: 'failed'; error: SerializedError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'notification'; listener: number; payload: string };

/** An error's message and its primitive fields (PostgreSQL's code, detail, constraint, …): what survives a post. */
export type SerializedError = Record<string, string | number | boolean | null> & { message: string; name: string };

// Callers check PostgreSQL's fields (error.code 23505, 40001, 25P02): structured cloning keeps only an Error's
// message and stack, so the fields travel as plain data and pglite-thread.ts puts them back on an Error.
export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      fields[key] = value as string | number | boolean | null;
    }
  }
  return { ...fields, name: error.name, message: error.message };
}

// Thrown inside pglite.transaction's callback so that PGlite rolls back; the caller's own error stays on its side.
const ROLLBACK_REQUESTED = new Error('rolled back by the caller');

interface OpenTransaction {
  tx: Transaction;
  decide(commit: boolean): void;
  settled: Promise<void>;
}

async function serve(port: MessagePort, data: PGliteWorkerData): Promise<void> {
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(data.dataDir, {
      parsers: { [DATE_OID]: keepDateAsText },
      ...(data.loadDump ? { loadDataDir: data.loadDump } : {}),
    });
  } catch (error) {
    port.postMessage({ type: 'failed', error: serializeError(error) } satisfies PGliteReply);
    return;
  }
  const run = requestRunner(pglite, port);
  port.on('message', (request: PGliteRequest) => {
    run(request).then(
      (value) => reply(port, { type: 'result', id: request.id, value }),
      (error: unknown) => reply(port, { type: 'error', id: request.id, error: serializeError(error) }),
    );
  });
  port.postMessage({ type: 'ready' } satisfies PGliteReply);
}

// A value that cannot be cloned (none of PGlite's results, but a throw here would end the thread) fails its request.
function reply(port: MessagePort, message: PGliteReply): void {
  try {
    port.postMessage(message);
  } catch (error) {
    if (message.type !== 'result') throw error;
    port.postMessage({ type: 'error', id: message.id, error: serializeError(error) } satisfies PGliteReply);
  }
}

function requestRunner(pglite: PGlite, port: MessagePort): (request: PGliteRequest) => Promise<unknown> {
  const transactions = transactionsOn(pglite);
  const unsubscribers = new Map<number, () => Promise<void>>();
  const executor = (tx: number | undefined) => (tx === undefined ? pglite : transactions.get(tx));

  const listen = async (id: number, channel: string): Promise<void> => {
    const unsubscribe = await pglite.listen(channel, (payload) =>
      port.postMessage({ type: 'notification', listener: id, payload } satisfies PGliteReply),
    );
    unsubscribers.set(id, unsubscribe);
  };

  const unlisten = async (listener: number): Promise<void> => {
    const unsubscribe = unsubscribers.get(listener);
    unsubscribers.delete(listener);
    await unsubscribe?.();
  };

  return async (request) => {
    switch (request.op) {
      case 'query':
        return executor(request.tx).query(request.sql, request.params, request.options);
      case 'exec':
        return executor(request.tx).exec(request.sql);
      case 'begin':
        return transactions.begin(request.id);
      case 'rollback':
        return transactions.get(request.tx).rollback();
      case 'end':
        return transactions.end(request.tx, request.commit);
      case 'listen':
        return listen(request.id, request.channel);
      case 'unlisten':
        return unlisten(request.listener);
      case 'dump':
        return pglite.dumpDataDir(request.compression);
      case 'close':
        return pglite.close();
    }
  };
}

// PGlite is one connection: its transaction() holds it, and every query outside waits on PGlite's own lock until
// the transaction ends, as on the main thread. The callback waits for the main thread's verdict (end) and throws
// to roll back; PGlite sends BEGIN, COMMIT or ROLLBACK, and turns a COMMIT that rolled back into error 25P02,
// which Kysely looks for.
function transactionsOn(pglite: PGlite) {
  const open = new Map<number, OpenTransaction>();

  const opened = (id: number): OpenTransaction => {
    const transaction = open.get(id);
    if (!transaction) throw new Error('Transaction is closed');
    return transaction;
  };

  const begin = (id: number): Promise<number> =>
    new Promise((began, failed) => {
      let decide: (commit: boolean) => void = () => undefined;
      const verdict = new Promise<boolean>((resolve) => (decide = resolve));
      const settled: Promise<void> = pglite
        .transaction(async (tx) => {
          open.set(id, { tx, decide, settled });
          began(id);
          if (!(await verdict)) throw ROLLBACK_REQUESTED;
        })
        .finally(() => open.delete(id));
      // Before the callback ran (BEGIN failed) the caller hears of a failure from begin; after, from end.
      settled.catch(failed);
    });

  const end = async (id: number, commit: boolean): Promise<void> => {
    const transaction = opened(id);
    transaction.decide(commit);
    await transaction.settled.catch((error: unknown) => {
      if (error !== ROLLBACK_REQUESTED) throw error;
    });
  };

  return { begin, end, get: (id: number): Transaction => opened(id).tx };
}

if (parentPort) void serve(parentPort, workerData as PGliteWorkerData);
