// The send path's process-wide part (README "Configuration": SMTP_CONNECTIONS), built once per process by the
// composition root and shared by every email job it runs. SPEC §7: a crash repeats at most one email per SMTP
// connection. So at most SMTP_CONNECTIONS emails of this process are ever accepted by the mail server and not
// yet recorded as sent — but an email's record no longer has to commit before its connection starts the next
// email: the next one's envelope and body go out while the record commits, and only its final "." waits for
// a free place among the unrecorded (a message whose "." never came is discarded by the server, RFC 5321 §3.8).
// The records that wait together go to the database in one statement (group commit).
import { recordSentEmails } from '../db/repos/access-repo.ts';
import type { SentEmailRecord } from '../db/repos/access-repo.ts';
import type { Db } from '../db/schema.ts';
import type { Mailer, OutgoingMail } from '../mail/mailer.ts';

export type { SentEmailRecord } from '../db/repos/access-repo.ts';

/**
 * Records `email` as sent, grouped with the records other sends are waiting for. Resolves once committed, with
 * the accesses of `watched` found cancelled at that commit.
 */
export type RecordSentEmail = (email: SentEmailRecord, watched: readonly number[]) => Promise<ReadonlySet<number>>;

/** `count` permits, handed out first come, first served. */
export interface Permits {
  readonly count: number;
  /** Resolves once a permit is free, with the function that gives it back (once; later calls do nothing). */
  acquire(): Promise<() => void>;
}

export function createPermits(count: number): Permits {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`permits must be a positive integer, got ${count}`);
  let free = count;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    count,
    async acquire() {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
      };
    },
  };
}

export interface EmailToSend {
  mail: OutgoingMail;
  /** Its record, made at acceptance (its time is the acceptance's). */
  record: () => SentEmailRecord;
  /** Accesses whose cancellation the record's commit reads again (see RecordSentEmail). */
  watched: readonly number[];
  /**
   * Asked right before the message is handed over for good: false abandons it (nothing is delivered); a throw
   * abandons it too and fails the send with that error.
   */
  wanted: () => boolean;
}

export interface EmailSender {
  /** SMTP_CONNECTIONS: how many emails are handed to the mailer at once. */
  readonly connections: number;
  /**
   * Sends one email and records it as sent. Resolves with the watched accesses found cancelled at the record's
   * commit, or undefined when `wanted` said no and nothing was delivered.
   */
  send(email: EmailToSend): Promise<ReadonlySet<number> | undefined>;
}

/** Abandons a message that `wanted` no longer wants. */
class NotWanted extends Error {}

export function createEmailSender(db: Db, mailer: Mailer, connections: number): EmailSender {
  // Emails handed to the mailer at once: one per pooled connection, so none waits in nodemailer's queue.
  const sending = createPermits(connections);
  // Emails accepted (or about to be: their "." sent) and not yet recorded: the crash bound.
  const unrecorded = createPermits(connections);
  const recordSent = createSentEmailRecorder(db);
  return {
    connections,
    async send(email) {
      let giveBack: (() => void) | undefined;
      const doneSending = await sending.acquire();
      try {
        await mailer.send(email.mail, {
          beforeAccepted: async () => {
            giveBack = await unrecorded.acquire();
            if (!email.wanted()) throw new NotWanted();
          },
        });
      } catch (error) {
        giveBack?.();
        if (error instanceof NotWanted) return undefined;
        throw error;
      } finally {
        doneSending();
      }
      try {
        return await recordSent(email.record(), email.watched);
      } finally {
        giveBack?.();
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
 * A statement that fails (after waiting out a database outage, see despiteDatabaseOutage) fails every send
 * whose record it carried: their jobs stop sending and retry later with what is unrecorded.
 */
function createSentEmailRecorder(db: Db): RecordSentEmail {
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
