// Outgoing email: SMTP when SMTP_URL is set, otherwise `.eml` files under DATA_DIR/outbox so a
// development install shows what would have been sent. Callers only see two failure kinds: permanent (mark the
// line in error with the server's reply) and transient (retry later).
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import nodemailer from 'nodemailer';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type { Logger } from '../logger.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per (access, kind): used as the Message-ID so a resend after a crash is recognisable. */
  idempotencyKey: string;
}

export interface SendOptions {
  /**
   * Awaited before the message is handed over for good: over SMTP, before the final "." of DATA (the envelope
   * and the body go out meanwhile); in the outbox, before the file takes its name. If it throws, the message is
   * abandoned — an SMTP server discards a message whose "." never came (RFC 5321 §3.8) — and `send` rejects
   * with that same error.
   */
  beforeAccepted?: () => Promise<void>;
}

export interface Mailer {
  send(mail: OutgoingMail, options?: SendOptions): Promise<{ messageId: string }>;
  close(): Promise<void>;
}

/** The server refused the message with a 5xx reply: sending it again will not help. */
export class PermanentMailError extends Error {
  readonly reply: string;
  constructor(reply: string, options?: { cause?: unknown }) {
    super(`Mail refused: ${reply}`, options);
    this.name = 'PermanentMailError';
    this.reply = reply;
  }
}

/** Connection refused, timeout, 4xx reply or anything unrecognised: the caller retries later. */
export class TransientMailError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientMailError';
    this.code = code;
  }
}

export interface MailerOptions {
  /** SMTP_URL; unset or empty → outbox files. */
  smtpUrl?: string | undefined;
  /** MAIL_FROM, e.g. `Domum <no-reply@localhost>`. */
  from: string;
  /** DATA_DIR; the outbox is `<dataDir>/outbox`. */
  dataDir: string;
  /** MAIL_RATE_PER_SECOND: at most this many sends start in any one second, across the mailer. */
  ratePerSecond: number;
  /** SMTP_CONNECTIONS: the pool's connections (nodemailer's default is 5). */
  connections?: number;
  logger: Logger;
}

const TIMEOUT_MS = 10_000;

export function createMailer(options: MailerOptions): Mailer {
  if (!(options.ratePerSecond > 0) || !Number.isFinite(options.ratePerSecond)) {
    throw new RangeError(`ratePerSecond must be a positive number, got ${options.ratePerSecond}`);
  }
  const limiter = createRateLimiter(options.ratePerSecond);
  const domain = senderDomain(options.from);
  const logger = options.logger.child({ component: 'mailer' });
  return options.smtpUrl
    ? createSmtpMailer(options.smtpUrl, options.from, domain, limiter, logger, options.connections ?? 5)
    : createOutboxMailer(join(options.dataDir, 'outbox'), options.from, domain, limiter, logger);
}

function createSmtpMailer(
  smtpUrl: string,
  from: string,
  domain: string,
  limiter: () => Promise<void>,
  logger: Logger,
  connections: number,
): Mailer {
  const transport: Transporter = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    // Provisioning runs one send lane per connection (src/usecases/email-lanes.ts): every connection busy,
    // and no email waiting in the pool's queue.
    maxConnections: connections,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
    // Close at once rather than half-close and wait up to 5 s for the server: a message abandoned mid-DATA
    // (SendOptions.beforeAccepted) is then dropped by the server right away, and a closing pool never lingers.
    socketCloseTimeout: 0,
    // nodemailer's own logger would print the envelope and, at debug, the message itself.
    logger: false,
    debug: false,
  });
  passMessagesWhole(transport);
  logger.info('mailer ready', { mode: 'smtp', host: safeHost(smtpUrl) });
  return {
    async send(mail, options) {
      await limiter();
      let abandoned: { error: unknown } | undefined;
      const gate = options?.beforeAccepted;
      const held = gate
        ? async () => {
            try {
              await gate();
            } catch (error) {
              abandoned = { error };
              throw error;
            }
          }
        : undefined;
      try {
        const info = await transport.sendMail({ ...message(mail, from, domain), [heldBy]: held } as SendMailOptions);
        // One line per email is too many for a 50,000-line import's log: the job logs each chunk's count.
        logger.debug('mail sent', { idempotencyKey: mail.idempotencyKey, messageId: info.messageId });
        return { messageId: info.messageId };
      } catch (error) {
        if (abandoned) throw abandoned.error;
        const mapped = mapSmtpError(error);
        logger.warn('mail not sent', {
          idempotencyKey: mail.idempotencyKey,
          kind: mapped instanceof PermanentMailError ? 'permanent' : 'transient',
          code: errorField(error, 'code'),
          responseCode: errorField(error, 'responseCode'),
          reply: errorField(error, 'response'),
        });
        throw mapped;
      }
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}

function createOutboxMailer(
  outbox: string,
  from: string,
  domain: string,
  limiter: () => Promise<void>,
  logger: Logger,
): Mailer {
  // nodemailer builds the RFC 822 text exactly as it would over SMTP; CRLF because that is what .eml readers expect.
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  logger.info('mailer ready', { mode: 'outbox', outbox });
  return {
    async send(mail, options) {
      await limiter();
      const info = await builder.sendMail(message(mail, from, domain));
      const target = join(outbox, `${safeName(mail.idempotencyKey)}.eml`);
      // Write then rename: a reader never sees half a file, and a resend replaces the earlier copy.
      const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await preparePrivateFolder(outbox, logger);
        // The mails carry access links and tokens: only the account running Domum may read them.
        await writeFile(temp, info.message, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        await rm(temp, { force: true });
        throw new TransientMailError(`Could not write ${target}`, errorField(error, 'code') as string | undefined, {
          cause: error,
        });
      }
      try {
        await options?.beforeAccepted?.();
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      try {
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw new TransientMailError(`Could not write ${target}`, errorField(error, 'code') as string | undefined, {
          cause: error,
        });
      }
      logger.info('mail written', { idempotencyKey: mail.idempotencyKey, messageId: info.messageId, file: target });
      return { messageId: info.messageId };
    },
    close() {
      builder.close();
      return Promise.resolve();
    },
  };
}

/**
 * Creates the outbox readable only by its owner, or takes an existing one back to that: a folder left open to
 * other accounts (made by hand, or by an older version) is tightened, with a warning, rather than refused, since
 * the fix is the same either way. A folder this process may not chmod fails the send, which is retried later.
 */
async function preparePrivateFolder(folder: string, logger: Logger): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const mode = (await stat(folder)).mode & 0o777;
  if (mode !== 0o700) {
    await chmod(folder, 0o700);
    logger.warn('outbox folder was open to other accounts: made it private', {
      outbox: folder,
      previousMode: mode.toString(8).padStart(4, '0'),
    });
  }
}

/**
 * nodemailer's 'stream' step is the last before a message goes out: each message goes through holdLastLine
 * there, with its send's beforeAccepted.
 */
function passMessagesWhole(transport: Transporter): void {
  transport.use('stream', (mail, done) => {
    const gate = (mail.data as { [heldBy]?: (() => Promise<void>) | undefined })[heldBy];
    mail.message.transform(() => holdLastLine(gate));
    done();
  });
}

/**
 * The key under which a send's `beforeAccepted` travels to the 'stream' plugin, in nodemailer's mail data (a
 * string: nodemailer copies the data's own enumerable keys, which leaves symbols behind).
 */
const heldBy = 'domumBeforeAccepted';

/**
 * Gathers the message and hands it on in one piece, then ends it — which lets nodemailer send the final "." —
 * only once `gate` resolves. A rejected gate fails the stream: nodemailer then closes the connection mid-DATA.
 * In one piece because nodemailer otherwise writes each header and part to the socket on its own: 14 writes per
 * email where 5 do (measured with 1,000 emails: 20% less CPU per email), and on this kind of machine each
 * write is a costly system call.
 */
function holdLastLine(gate: (() => Promise<void>) | undefined): Transform {
  const chunks: Buffer[] = [];
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
    flush(callback) {
      this.push(Buffer.concat(chunks));
      if (!gate) return callback();
      gate().then(
        () => callback(),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
}

function message(mail: OutgoingMail, from: string, domain: string) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: `<${safeName(mail.idempotencyKey)}@${domain}>`,
  };
}

/**
 * Spaces send starts 1/rate seconds apart (a bucket of one token). Slots are reserved synchronously, so
 * concurrent callers queue in call order, and a caller only waits on a timer when its slot is in the future.
 */
function createRateLimiter(ratePerSecond: number): () => Promise<void> {
  const interval = 1000 / ratePerSecond;
  let next = 0;
  return async () => {
    const now = performance.now();
    const slot = Math.max(now, next);
    next = slot + interval;
    // Timers may fire a hair early against the clock; loop so the slot is never started before its time.
    while (performance.now() < slot) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(slot - performance.now()))));
    }
  };
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNECTION', 'ESOCKET', 'EDNS']);

export function mapSmtpError(error: unknown): PermanentMailError | TransientMailError {
  const responseCode = errorField(error, 'responseCode');
  const response = errorField(error, 'response');
  const code = errorField(error, 'code');
  if (typeof responseCode === 'number' && responseCode >= 500) {
    return new PermanentMailError(typeof response === 'string' ? response : String(responseCode), { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (typeof responseCode === 'number' && responseCode >= 400) {
    return new TransientMailError(message, typeof code === 'string' ? code : undefined, { cause: error });
  }
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) {
    return new TransientMailError(message, code, { cause: error });
  }
  // Unrecognised failures are retried rather than marking a user's line in error on a guess.
  return new TransientMailError(message, typeof code === 'string' ? code : undefined, { cause: error });
}

function errorField(error: unknown, key: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

/** File names and Message-ID local parts: readable where the key allows, with a hash so distinct keys never collide. */
function safeName(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 80);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `${readable}.${hash}`;
}

function senderDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'localhost';
}

// The URL carries the SMTP password: only the host is fit for a log line.
function safeHost(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    return url.host;
  } catch {
    return '(unparsable SMTP_URL)';
  }
}
