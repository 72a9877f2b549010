import { EventEmitter } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

export type SmtpStage = 'rcpt' | 'data';

export type SmtpFailure = {
  /** SMTP reply code, e.g. 451 (transient) or 550 (permanent). */
  code: number;
  message: string;
  /** Which reply fails; default 'data' (the reply to the end of the message). */
  stage?: SmtpStage;
};

export type CapturedMessage = {
  from: string;
  to: string[];
  raw: string;
  /** Top-level headers, names lower-cased, folded lines joined, RFC 2047 words decoded. */
  headers: Record<string, string>;
  subject: string | undefined;
  /** Username the client logged in with, when it used AUTH. */
  authUser?: string;
  at: number;
};

export type SmtpRejection = {
  stage: SmtpStage;
  code: number;
  message: string;
  from: string;
  to: string[];
  at: number;
};

export type SmtpCaptureOptions = {
  /** Fail every message this way until `setFailWith(undefined)`. */
  failWith?: SmtpFailure;
};

export type SmtpCapture = {
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  host: string;
  port: number;
  messages: CapturedMessage[];
  /** Every scripted failure the server answered with, in order. */
  rejections: SmtpRejection[];
  waitForMessages(count: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  waitForRejections(count: number, timeoutMs?: number): Promise<SmtpRejection[]>;
  /** The next `times` replies at `stage` (default DATA) fail with `code`. RCPT failures count per recipient. */
  rejectNext(code: number, message: string, times?: number, stage?: SmtpStage): void;
  setFailWith(failure: SmtpFailure | undefined): void;
  /**
   * Runs `hook` when a message's final "." has come, before the server accepts it (its 250 waits for the hook;
   * a hook that throws fails the test run's expectation there, and the message is still accepted).
   */
  setBeforeAccepting(hook: ((message: CapturedMessage) => void | Promise<void>) | undefined): void;
  /** What has arrived so far of each message whose DATA started and whose final "." has not come. */
  unfinished(): string[];
  /** Errors thrown by the beforeAccepting hook, in order. */
  hookErrors: unknown[];
  reset(): void;
  close(): Promise<void>;
};

type QueuedFailure = { code: number; message: string; stage: SmtpStage; remaining: number };

export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const messages: CapturedMessage[] = [];
  const rejections: SmtpRejection[] = [];
  const queued: QueuedFailure[] = [];
  const sockets = new Set<Socket>();
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const cancelWaiters = new Set<(error: Error) => void>();
  let failWith = options.failWith;
  let beforeAccepting: ((message: CapturedMessage) => void | Promise<void>) | undefined;
  const hookErrors: unknown[] = [];
  const receiving = new Set<Buffer[]>();

  function takeFailure(stage: SmtpStage): { code: number; message: string } | undefined {
    if (failWith && (failWith.stage ?? 'data') === stage) return failWith;
    const index = queued.findIndex((failure) => failure.stage === stage);
    const failure = queued[index];
    if (!failure) return undefined;
    failure.remaining -= 1;
    if (failure.remaining <= 0) queued.splice(index, 1);
    return failure;
  }

  function rejectWith(
    stage: SmtpStage,
    failure: { code: number; message: string },
    session: SMTPServerSession,
    extraRecipient?: string,
  ): Error {
    const to = session.envelope.rcptTo.map((address) => address.address);
    if (extraRecipient) to.push(extraRecipient);
    rejections.push({
      stage,
      code: failure.code,
      message: failure.message,
      from: envelopeSender(session),
      to,
      at: Date.now(),
    });
    changes.emit('change');
    return Object.assign(new Error(failure.message), { responseCode: failure.code });
  }

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    secure: false,
    // Apps configured with SMTP credentials must still be able to log in over the plain connection.
    allowInsecureAuth: true,
    logger: false,
    banner: 'smtp-capture',
    // No reverse DNS per connection: it would depend on the resolver of the machine running the tests.
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const failure = takeFailure('rcpt');
      callback(failure ? rejectWith('rcpt', failure, session, address.address) : null);
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      receiving.add(chunks);
      // A client that goes away mid-DATA leaves its message unfinished, and smtp-server discards it.
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        changes.emit('change');
      });
      stream.on('error', (error: Error) => {
        receiving.delete(chunks);
        callback(error);
      });
      stream.on('close', () => receiving.delete(chunks));
      stream.on('end', () => void accept());
      const accept = async () => {
        receiving.delete(chunks);
        const failure = takeFailure('data');
        if (failure) {
          callback(rejectWith('data', failure, session));
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = parseHeaders(raw);
        const message: CapturedMessage = {
          from: envelopeSender(session),
          to: session.envelope.rcptTo.map((address) => address.address),
          raw,
          headers,
          subject: headers['subject'],
          ...(typeof session.user === 'string' ? { authUser: session.user } : {}),
          at: Date.now(),
        };
        try {
          await beforeAccepting?.(message);
        } catch (error) {
          hookErrors.push(error);
        }
        messages.push({ ...message, at: Date.now() });
        changes.emit('change');
        callback(null);
      };
    },
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  // smtp-server rethrows socket errors on the server; a client vanishing mid-test must not crash the run.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;

  function waitForCount<T>(list: T[], count: number, timeoutMs: number, what: string): Promise<T[]> {
    if (list.length >= count) return Promise.resolve([...list]);
    return new Promise<T[]>((resolve, reject) => {
      const onChange = (): void => {
        if (list.length < count) return;
        cleanup();
        resolve([...list]);
      };
      const cancel = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const timer = setTimeout(
        () =>
          cancel(
            new Error(
              `Timed out after ${timeoutMs} ms waiting for ${count} ${what}; got ${list.length}. ` +
                `Messages: ${JSON.stringify(messages.map((message) => ({ from: message.from, to: message.to, subject: message.subject })))}; ` +
                `rejections: ${JSON.stringify(rejections.map((rejection) => ({ stage: rejection.stage, code: rejection.code, to: rejection.to })))}`,
            ),
          ),
        timeoutMs,
      );
      function cleanup(): void {
        clearTimeout(timer);
        changes.off('change', onChange);
        cancelWaiters.delete(cancel);
      }
      changes.on('change', onChange);
      cancelWaiters.add(cancel);
    });
  }

  return {
    url: `smtp://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    messages,
    rejections,
    waitForMessages: (count, timeoutMs = 5000) => waitForCount(messages, count, timeoutMs, 'message(s)'),
    waitForRejections: (count, timeoutMs = 5000) => waitForCount(rejections, count, timeoutMs, 'rejection(s)'),
    rejectNext: (code, message, times = 1, stage = 'data') => {
      queued.push({ code, message, stage, remaining: times });
    },
    setFailWith: (failure) => {
      failWith = failure;
    },
    setBeforeAccepting: (hook) => {
      beforeAccepting = hook;
    },
    unfinished: () => [...receiving].map((chunks) => Buffer.concat(chunks).toString('utf8')),
    hookErrors,
    reset: () => {
      messages.length = 0;
      rejections.length = 0;
      queued.length = 0;
      failWith = undefined;
      beforeAccepting = undefined;
      hookErrors.length = 0;
    },
    close: async () => {
      for (const cancel of [...cancelWaiters]) cancel(new Error('SMTP capture closed while waiting'));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Pooled clients keep connections open; without this close() waits out smtp-server's 30 s grace period.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function envelopeSender(session: SMTPServerSession): string {
  const from = session.envelope.mailFrom;
  return from ? from.address : '';
}

function parseHeaders(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = end === -1 ? raw : raw.slice(0, end);
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name in headers) continue;
    headers[name] = decodeEncodedWords(line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeEncodedWords(value: string): string {
  // Adjacent encoded words are joined without the whitespace between them (RFC 2047 §6.2).
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_match, charset: string, encoding: string, text: string) => {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_hex, code: string) => String.fromCharCode(Number.parseInt(code, 16))),
              'latin1',
            );
      try {
        return new TextDecoder(charset.toLowerCase()).decode(bytes);
      } catch {
        return bytes.toString('utf8');
      }
    });
}
