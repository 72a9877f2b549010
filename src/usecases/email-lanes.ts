// The send path's two process-wide parts (README "Configuration": SMTP_CONNECTIONS), built once per process by
// the composition root and shared by every email job it runs:
// - the lanes: at most SMTP_CONNECTIONS emails of this process are between "handed to the mail server" and
//   "recorded as sent" at any instant, so a crash repeats at most one email per SMTP connection (SPEC §7);
// - the group commit: the records of the emails the lanes sent meanwhile go to the database in one statement,
//   instead of one round trip and one commit each. A lane still waits for its record before its next email.
import { recordSentEmails } from '../db/repos/access-repo.ts';
import type { SentEmailRecord } from '../db/repos/access-repo.ts';
import type { Db } from '../db/schema.ts';

export type { SentEmailRecord } from '../db/repos/access-repo.ts';

/**
 * Records `email` as sent, grouped with the records other lanes are waiting for. Resolves once committed, with
 * the accesses of `watched` found cancelled at that commit (the lanes send nothing more to them).
 */
export type RecordSentEmail = (email: SentEmailRecord, watched: readonly number[]) => Promise<ReadonlySet<number>>;

/** The process's send lanes: `withLane` runs its work once one of the `count` lanes is free (first come, first served). */
export interface SendLanes {
  readonly count: number;
  withLane<T>(work: () => Promise<T>): Promise<T>;
}

export function createSendLanes(count: number): SendLanes {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`lanes must be a positive integer, got ${count}`);
  let free = count;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    count,
    async withLane(work) {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}

interface PendingRecord {
  email: SentEmailRecord;
  watched: readonly number[];
  resolve: (cancelled: ReadonlySet<number>) => void;
  reject: (error: unknown) => void;
}

/**
 * The group commit. One statement at a time: the records that arrive while it runs go together in the next.
 * A statement that fails (after waiting out a database outage, see despiteDatabaseOutage) fails every lane
 * whose record it carried: none of them sends another email, and their jobs retry with what is unrecorded.
 */
export function createSentEmailRecorder(db: Db): RecordSentEmail {
  let pending: PendingRecord[] = [];
  let writing = false;
  const writeAll = async () => {
    writing = true;
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      const watched = new Set<number>();
      for (const item of batch) for (const id of item.watched) watched.add(id);
      try {
        const cancelled = new Set(
          await despiteDatabaseOutage(() =>
            recordSentEmails(
              db,
              batch.map((item) => item.email),
              [...watched],
            ),
          ),
        );
        for (const item of batch) item.resolve(cancelled);
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    writing = false;
  };
  return (email, watched) =>
    new Promise((resolve, reject) => {
      pending.push({ email, watched, resolve, reject });
      if (!writing) void writeAll();
    });
}

/** How long a record that must not be lost waits for an unreachable database before giving up. */
const OUTAGE_PATIENCE_MS = 120_000;

/**
 * A sent email's record is the only thing between a crash and a second copy of that email, so when the
 * database is briefly unreachable (PostgreSQL restarting) the write is retried until it answers again, instead
 * of failing the job and sending the email again later.
 */
export async function despiteDatabaseOutage<T>(write: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + OUTAGE_PATIENCE_MS;
  let pauseMs = 100;
  for (;;) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnreachable(error) || Date.now() + pauseMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, 2_000);
    }
  }
}

// Connection-level failures (the server went away, refuses connections, or is starting or shutting down),
// as opposed to an error in the statement itself, which waiting would not fix.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

export function isDatabaseUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed/i.test(
    message,
  );
}
