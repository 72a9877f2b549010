// The embedded database (PGlite) on its own thread, for the server processes: PGlite is WebAssembly running on
// the thread that calls it, and a long statement there (about 1.5–3.3 s once 50,000 imported rows are written)
// would hold the event loop that answers Slack, which wants an answer within 3 s. The worker (pglite-worker.ts)
// owns the PGlite instance; this is the main thread's side: the part of PGlite's interface that Kysely's
// PGliteDialect and pg-boss's fromPglite use, each call a message to the worker.
import { Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import type { PGlite, QueryOptions, Results } from '@electric-sql/pglite';
import type { Logger } from '../logger.ts';
import type { PGliteReply, PGliteRequest, PGliteWorkerData, SerializedError } from './pglite-worker.ts';

const WORKER_URL = new URL('./pglite-worker.ts', import.meta.url);

/** The query options that can cross to the worker (the others are functions or blobs). */
export type ThreadQueryOptions = Pick<QueryOptions, 'rowMode' | 'paramTypes'>;

export interface PGliteThreadTransaction {
  query<T>(sql: string, params?: unknown[], options?: ThreadQueryOptions): Promise<Results<T>>;
  exec(sql: string): Promise<Results[]>;
  rollback(): Promise<void>;
  readonly closed: boolean;
}

// Each kind of request, without the id #call gives it.
type Request = PGliteRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface PGliteThreadOptions {
  /** Tests: a heap limit for the worker, to see what a thread that runs out of memory does to the app. */
  resourceLimits?: ResourceLimits;
}

export class PGliteThread {
  readonly #worker: Worker;
  readonly #logger: Logger;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<number, { channel: string; callback: (payload: string) => void }>();
  readonly #opened: Promise<void>;
  #opening: Pending | undefined;
  #ready = false;
  #nextId = 1;
  #closing: Promise<void> | undefined;
  /** Set once the thread is gone or going: every call fails with it. */
  #stopped: Error | undefined;

  /** Starts the worker and resolves once its PGlite is open (from `data.loadDump` when given). */
  static async open(data: PGliteWorkerData, logger: Logger, options: PGliteThreadOptions = {}): Promise<PGliteThread> {
    // The worker loads TypeScript directly, as the spreadsheet reader's does (read-off-thread.ts).
    const worker = new Worker(WORKER_URL, {
      workerData: data,
      execArgv: ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'],
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    const thread = new PGliteThread(worker, logger);
    try {
      await thread.#opened;
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return thread;
  }

  private constructor(worker: Worker, logger: Logger) {
    this.#worker = worker;
    this.#logger = logger;
    this.#opened = new Promise((resolve, reject) => {
      this.#opening = { resolve, reject };
    });
    worker.on('message', (message: PGliteReply) => this.#receive(message));
    let crash: Error | undefined;
    worker.on('error', (error: Error) => {
      crash = error;
    });
    worker.on('exit', (code) => this.#exited(code, crash));
  }

  get ready(): boolean {
    return this.#ready;
  }

  get waitReady(): Promise<void> {
    return this.#opened;
  }

  get closed(): boolean {
    return this.#stopped !== undefined;
  }

  query<T>(sql: string, params?: unknown[], options?: ThreadQueryOptions): Promise<Results<T>> {
    return this.#call({ op: 'query', sql, params, options: crossingOptions(options) });
  }

  exec(sql: string): Promise<Results[]> {
    return this.#call({ op: 'exec', sql });
  }

  /**
   * Runs `callback` in a transaction on the worker's PGlite (pglite.transaction there): PGlite's one connection
   * is the callback's until it settles, other queries wait, and a callback that throws rolls the transaction back.
   */
  async transaction<T>(callback: (tx: PGliteThreadTransaction) => Promise<T>): Promise<T> {
    const id = await this.#call<number>({ op: 'begin' });
    let closed = false;
    const whileOpen = <R>(request: () => Promise<R>): Promise<R> =>
      closed ? Promise.reject(new Error('Transaction is closed')) : request();
    const tx: PGliteThreadTransaction = {
      query: (sql, params, options) =>
        whileOpen(() => this.#call({ op: 'query', tx: id, sql, params, options: crossingOptions(options) })),
      exec: (sql) => whileOpen(() => this.#call({ op: 'exec', tx: id, sql })),
      rollback: () =>
        whileOpen(async () => {
          await this.#call({ op: 'rollback', tx: id });
          closed = true;
        }),
      get closed() {
        return closed;
      },
    };
    let result: T;
    try {
      result = await callback(tx);
    } catch (error) {
      closed = true;
      // The callback's error is the one that explains; PGlite releases its connection whether ROLLBACK worked.
      await this.#call({ op: 'end', tx: id, commit: false }).catch(() => undefined);
      throw error;
    }
    closed = true;
    await this.#call({ op: 'end', tx: id, commit: true });
    return result;
  }

  async listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>> {
    const id = this.#nextId++;
    this.#listeners.set(id, { channel, callback });
    try {
      await this.#call({ op: 'listen', channel }, id);
    } catch (error) {
      this.#listeners.delete(id);
      throw error;
    }
    return () => this.#unsubscribe(id);
  }

  async unlisten(channel: string, callback?: (payload: string) => void): Promise<void> {
    for (const [id, listener] of [...this.#listeners]) {
      if (listener.channel === channel && (!callback || listener.callback === callback)) await this.#unsubscribe(id);
    }
  }

  dumpDataDir(compression: Parameters<PGlite['dumpDataDir']>[0] = 'none'): Promise<Blob> {
    return this.#call({ op: 'dump', compression });
  }

  /** Closes PGlite (it writes what it holds to its data directory) and ends the thread. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#stopped) return;
      try {
        const closed = this.#call({ op: 'close' });
        this.#stopped = new Error('the embedded database is closed');
        await closed;
      } finally {
        await this.#worker.terminate();
      }
    })();
    return this.#closing;
  }

  async #unsubscribe(id: number): Promise<void> {
    // A closed database has no listeners left to remove.
    if (!this.#listeners.delete(id) || this.#stopped) return;
    await this.#call({ op: 'unlisten', listener: id });
  }

  #call<T>(request: Request, id = this.#nextId++): Promise<T> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ ...request, id });
      } catch (error) {
        // A parameter that cannot be cloned (a function, a symbol) fails its query, as a bad parameter would.
        this.#pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  #receive(message: PGliteReply): void {
    if (message.type === 'notification') {
      this.#listeners.get(message.listener)?.callback(message.payload);
      return;
    }
    if (message.type === 'ready' || message.type === 'failed') {
      this.#ready = message.type === 'ready';
      if (message.type === 'ready') this.#opening?.resolve(undefined);
      else this.#opening?.reject(toError(message.error));
      return;
    }
    const pending = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    if (message.type === 'result') pending?.resolve(message.value);
    else pending?.reject(toError(message.error));
  }

  // A thread that ends without being closed (out of memory, a crash inside PGlite) takes the database with it:
  // every query waiting for an answer fails now, and every later one at once, instead of waiting forever.
  #exited(code: number, crash: Error | undefined): void {
    if (!this.#stopped) {
      const reason = crash ? `: ${crash.message}` : '';
      this.#stopped = new Error(`the embedded database's thread stopped (exit code ${code})${reason}`);
      // While opening, open() throws it instead.
      if (this.#ready)
        this.#logger.error('the embedded database stopped', { exitCode: code, error: crash ?? this.#stopped });
      this.#opening?.reject(this.#stopped);
    }
    for (const pending of this.#pending.values()) pending.reject(this.#stopped);
    this.#pending.clear();
    this.#listeners.clear();
  }
}

function crossingOptions(options: ThreadQueryOptions | undefined): ThreadQueryOptions {
  return { rowMode: options?.rowMode, paramTypes: options?.paramTypes };
}

// A real Error with PostgreSQL's fields on it (code, detail, constraint, …), as PGlite throws on its own thread.
function toError(serialized: SerializedError): Error {
  return Object.assign(new Error(serialized.message), serialized);
}
