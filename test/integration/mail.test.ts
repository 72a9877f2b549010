import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { createMailer, PermanentMailError, TransientMailError } from '../../src/mail/mailer.ts';
import type { Mailer, OutgoingMail } from '../../src/mail/mailer.ts';
import { accessLinkMail, accessTokenMail } from '../../src/mail/templates.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import type { SmtpCapture } from '../support/smtp-capture.ts';
import { waitFor } from '../support/wait-for.ts';

const TOKEN = 'K7QX-M2PD-9RTW';
const LINK = 'https://domum.example/a/3f9c2b7e';
const SMTP_PASSWORD = 'sm7p-pa55w0rd';

function logSink() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) };
}

/** Who asked, why and whom to contact, as both emails say it. */
const CONTEXT = {
  requesterName: 'Maria Silva',
  organisation: 'Initech',
  justification: 'Quarterly database maintenance',
  supportContact: 'IT service desk, help@initech.example',
};
const ACCESS_TIMES = {
  startsAt: new Date('2026-11-26T12:00:00Z'),
  endsAt: new Date('2026-11-26T20:00:00Z'),
  timeZone: 'America/Sao_Paulo',
};
const TOKEN_TIMES = {
  sentAt: new Date('2026-11-22T17:05:00Z'),
  expiresAt: new Date('2026-11-25T17:05:00Z'),
  timeZone: 'America/Sao_Paulo',
};

function linkMail(userName = 'Ana Souza'): OutgoingMail {
  const content = accessLinkMail({
    to: 'ana@acme.example',
    userName,
    vendorName: 'Acme Corp',
    link: LINK,
    accessCode: 'A-1042',
    ...ACCESS_TIMES,
    ...CONTEXT,
  });
  return { to: 'ana@acme.example', ...content, idempotencyKey: 'access-1042:link' };
}

function tokenMail(userName = 'Ana Souza'): OutgoingMail {
  const content = accessTokenMail({
    to: 'ana@acme.example',
    userName,
    vendorName: 'Acme Corp',
    accessCode: 'A-1042',
    token: TOKEN,
    ...TOKEN_TIMES,
    ...CONTEXT,
  });
  return { to: 'ana@acme.example', ...content, idempotencyKey: 'access-1042:token' };
}

/** The decoded text/plain and text/html parts of a raw message (enough MIME for what nodemailer writes). */
function parts(raw: string): { text: string; html: string } {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
  if (!boundary) throw new Error('not multipart');
  const found: Record<string, string> = {};
  for (const part of raw.split(`--${boundary}`).slice(1, -1)) {
    const split = part.search(/\r?\n\r?\n/);
    const head = part.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
    const body = part.slice(split).trim();
    const type = /content-type:\s*([^;\s]+)/i.exec(head)?.[1]?.toLowerCase() ?? '';
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1]?.toLowerCase();
    const decoded =
      encoding === 'base64'
        ? Buffer.from(body, 'base64').toString('utf8')
        : encoding === 'quoted-printable'
          ? Buffer.from(
              body
                .replace(/=\r?\n/g, '')
                .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
              'latin1',
            ).toString('utf8')
          : body;
    found[type] = decoded.replace(/\r\n/g, '\n');
  }
  return { text: found['text/plain'] ?? '', html: found['text/html'] ?? '' };
}

describe('templates', () => {
  it('keep the link and the token in separate mails and escape every value in HTML', () => {
    const link = accessLinkMail({
      to: 'x@y',
      userName: '<b>Eve</b> & "Co"',
      vendorName: 'A<B',
      link: LINK,
      accessCode: "O'1",
      ...ACCESS_TIMES,
      ...CONTEXT,
    });
    expect(link.html).toContain('&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;Co&quot;');
    expect(link.html).toContain('A&lt;B');
    expect(link.html).toContain('O&#39;1');
    expect(link.html).not.toContain('<b>Eve');
    expect(link.text).toContain(LINK);
    const token = accessTokenMail({
      to: 'x@y',
      userName: 'Eve',
      vendorName: 'Acme Corp',
      accessCode: 'A-1042',
      token: TOKEN,
      ...TOKEN_TIMES,
      ...CONTEXT,
    });
    expect(token.text).toContain('valid for 3 days, until 25 Nov 2026 14:05 America/Sao_Paulo (UTC\u221203:00)');
    expect(token.html).toContain('valid for 3 days, until 25 Nov 2026 14:05 America/Sao_Paulo (UTC\u221203:00)');
    expect(`${token.subject}${token.text}${token.html}`).not.toMatch(/https?:/);
    expect(`${link.subject}${link.text}${link.html}`).not.toContain(TOKEN);
    expect(() =>
      accessLinkMail({
        to: 'x@y',
        userName: 'E',
        vendorName: 'V',
        link: 'javascript:alert(1)',
        accessCode: 'A',
        ...ACCESS_TIMES,
        ...CONTEXT,
      }),
    ).toThrow();
  });
});

describe('SMTP mailer', () => {
  let capture: SmtpCapture;
  const open: Mailer[] = [];
  const smtpMailer = (ratePerSecond = 100, sink = logSink()) => {
    const url = capture.url.replace('smtp://', `smtp://domum:${SMTP_PASSWORD}@`);
    const mailer = createMailer({
      smtpUrl: url,
      from: 'Domum <no-reply@domum.example>',
      dataDir: '/nonexistent',
      ratePerSecond,
      logger: sink.logger,
    });
    open.push(mailer);
    return mailer;
  };

  beforeAll(async () => {
    capture = await startSmtpCapture();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((mailer) => mailer.close()));
    capture.reset();
  });
  afterAll(async () => {
    await capture.close();
  });

  it('delivers both mails as multipart text + HTML, escaped, each without the other secret', async () => {
    const sink = logSink();
    const mailer = smtpMailer(100, sink);
    const sent = await mailer.send(linkMail('<b>Eve</b>'));
    await mailer.send(tokenMail('<b>Eve</b>'));
    const [link, token] = await capture.waitForMessages(2);
    expect(sent.messageId).toMatch(/^<access-1042-link\.[0-9a-f]{16}@domum\.example>$/);
    expect(link!.headers['message-id']).toBe(sent.messageId);
    expect(link!.to).toEqual(['ana@acme.example']);
    expect(link!.subject).toBe('Domum: your access link for Acme Corp (A-1042)');
    expect(token!.subject).toBe('Domum: your one-time token for A-1042');
    expect(link!.authUser).toBe('domum');
    const linkParts = parts(link!.raw);
    const tokenParts = parts(token!.raw);
    expect(linkParts.text).toContain(LINK);
    expect(linkParts.html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(linkParts.html).not.toContain('<b>Eve');
    expect(tokenParts.text).toContain(TOKEN);
    expect(tokenParts.html).toContain(TOKEN);
    expect(tokenParts.html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(link!.raw).not.toContain(TOKEN);
    expect(token!.raw).not.toMatch(/https?:\/\/domum/);
    const log = sink.lines.join('\n');
    expect(log).not.toContain(SMTP_PASSWORD);
    expect(log).not.toContain(TOKEN);
  });

  it('maps a 5xx reply to PermanentMailError carrying the reply', async () => {
    const sink = logSink();
    capture.rejectNext(550, 'No such user here', 1, 'rcpt');
    const error = await smtpMailer(100, sink)
      .send(tokenMail())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentMailError);
    expect((error as PermanentMailError).reply).toMatch(/^550\b.*No such user here/);
    expect(sink.lines.join('\n')).not.toContain(TOKEN);
  });

  it('maps a 4xx reply to TransientMailError', async () => {
    capture.rejectNext(451, 'Try again later', 1, 'data');
    await expect(smtpMailer().send(linkMail())).rejects.toBeInstanceOf(TransientMailError);
  });

  it('maps a closed port to TransientMailError', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      from: 'Domum <no-reply@localhost>',
      dataDir: '/nonexistent',
      ratePerSecond: 10,
      logger: logSink().logger,
    });
    open.push(mailer);
    await expect(mailer.send(linkMail())).rejects.toBeInstanceOf(TransientMailError);
  });

  it('starts at most ratePerSecond sends per second', async () => {
    const mailer = smtpMailer(2);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 5 }, (_, index) => mailer.send({ ...linkMail(), idempotencyKey: `rate-${index}` })),
    );
    const elapsed = performance.now() - started;
    // Slots at 0, 0.5, 1, 1.5 and 2 s: the fifth cannot start before 2 s.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(4000);
    expect(capture.messages).toHaveLength(5);
  });

  // The send path overlaps an email's record with the next email (src/usecases/email-lanes.ts): that is only
  // safe because the server cannot accept a message before its final "." — which beforeAccepted holds back.
  it('sends the message but its final "." only once beforeAccepted resolves', async () => {
    const mailer = smtpMailer();
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let asked = 0;
    const sending = mailer.send(linkMail('Held Back'), {
      beforeAccepted: () => {
        asked += 1;
        return gate;
      },
    });
    // The whole text has arrived, up to the closing boundary, yet nothing is accepted.
    const partial = await waitFor(() => capture.unfinished().find((raw) => /<\/html>\s*--\S+$/.test(raw)), {
      description: 'the message up to its final "."',
    });
    expect(partial).toContain('Held Back');
    expect(asked).toBe(1);
    expect(capture.messages).toHaveLength(0);
    open();
    await sending;
    expect(capture.messages.map((message) => parts(message.raw).text)).toEqual([expect.stringContaining('Held Back')]);
    expect(capture.unfinished()).toEqual([]);
  });

  it('abandons the message when beforeAccepted throws: never accepted, that error, and the next one goes through', async () => {
    const mailer = smtpMailer();
    const refusal = new Error('no longer wanted');
    await expect(mailer.send(linkMail('Abandoned'), { beforeAccepted: () => Promise.reject(refusal) })).rejects.toBe(
      refusal,
    );
    await mailer.send(tokenMail('Sent After'));
    await waitFor(() => capture.unfinished().length === 0, { description: 'the abandoned message dropped' });
    expect(capture.messages.map((message) => parts(message.raw).text)).toEqual([expect.stringContaining('Sent After')]);
  });
});

describe('outbox mailer', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'domum-mail-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes one .eml per idempotency key and logs no secret', async () => {
    const sink = logSink();
    const mailer = createMailer({
      from: 'Domum <no-reply@localhost>',
      dataDir,
      ratePerSecond: 100,
      logger: sink.logger,
    });
    const first = await mailer.send(tokenMail());
    const again = await mailer.send(tokenMail());
    await mailer.send(linkMail());
    await mailer.close();
    expect(again.messageId).toBe(first.messageId);
    const files = (await readdir(join(dataDir, 'outbox'))).sort();
    expect(files).toHaveLength(2);
    expect(files.every((file) => file.endsWith('.eml'))).toBe(true);
    const tokenFile = files.find((file) => file.startsWith('access-1042-token'))!;
    const raw = await readFile(join(dataDir, 'outbox', tokenFile), 'utf8');
    expect(raw).toMatch(/^Content-Type: multipart\/alternative/m);
    expect(raw).toContain(`Message-ID: ${first.messageId}\r\n`);
    expect(raw).toMatch(/^To: ana@acme\.example\r$/m);
    expect(parts(raw).text).toContain(TOKEN);
    const log = sink.lines.join('\n');
    expect(log).toContain('mail written');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(LINK);
    expect(log).not.toContain('Hello');
  });

  it('names the file only once beforeAccepted resolves, and leaves none when it throws', async () => {
    const outbox = join(dataDir, 'outbox');
    const mailer = createMailer({
      from: 'Domum <no-reply@localhost>',
      dataDir,
      ratePerSecond: 100,
      logger: logSink().logger,
    });
    const held = { ...linkMail(), idempotencyKey: 'held-1043:link' };
    const dropped = { ...linkMail(), idempotencyKey: 'dropped-1044:link' };
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let asked = false;
    const sending = mailer.send(held, {
      beforeAccepted: () => {
        asked = true;
        return gate;
      },
    });
    await waitFor(() => asked, { description: 'beforeAccepted asked' });
    expect((await readdir(outbox)).filter((file) => file.startsWith('held-1043'))).toEqual([
      expect.stringMatching(/\.tmp$/),
    ]);
    open();
    await sending;
    expect((await readdir(outbox)).filter((file) => file.startsWith('held-1043'))).toEqual([
      expect.stringMatching(/\.eml$/),
    ]);
    const refusal = new Error('no longer wanted');
    await expect(mailer.send(dropped, { beforeAccepted: () => Promise.reject(refusal) })).rejects.toBe(refusal);
    expect((await readdir(outbox)).filter((file) => file.startsWith('dropped-1044'))).toEqual([]);
    await mailer.close();
  });

  it('keeps the outbox private: the folder 0700 and each .eml 0600', async () => {
    const ownDataDir = join(dataDir, 'fresh');
    const mailer = createMailer({
      from: 'Domum <no-reply@localhost>',
      dataDir: ownDataDir,
      ratePerSecond: 100,
      logger: logSink().logger,
    });
    await mailer.send(tokenMail());
    await mailer.close();
    const outbox = join(ownDataDir, 'outbox');
    expect((await stat(outbox)).mode & 0o777).toBe(0o700);
    const files = await readdir(outbox);
    expect(files).toHaveLength(1);
    expect((await stat(join(outbox, files[0]!))).mode & 0o777).toBe(0o600);
  });

  it('tightens an outbox folder left open to others, and replaces an older readable copy with a private one', async () => {
    const ownDataDir = join(dataDir, 'open');
    const outbox = join(ownDataDir, 'outbox');
    await mkdir(outbox, { recursive: true });
    await chmod(outbox, 0o777);
    const sink = logSink();
    const mailer = createMailer({
      from: 'Domum <no-reply@localhost>',
      dataDir: ownDataDir,
      ratePerSecond: 100,
      logger: sink.logger,
    });
    await mailer.send(tokenMail());
    const [file] = await readdir(outbox);
    await chmod(join(outbox, file!), 0o644);
    await writeFile(join(outbox, 'unrelated.txt'), 'left alone');
    await mailer.send(tokenMail());
    await mailer.close();
    expect((await stat(outbox)).mode & 0o777).toBe(0o700);
    expect((await stat(join(outbox, file!))).mode & 0o777).toBe(0o600);
    expect((await readdir(outbox)).sort()).toEqual([file, 'unrelated.txt'].sort());
    const warnings = sink.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.level === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'outbox folder was open to other accounts: made it private',
        previousMode: '0777',
      }),
    ]);
  });
});
