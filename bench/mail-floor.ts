// Floor for the email phase: bare nodemailer, pooled with as many connections as the app (SMTP_CONNECTIONS),
// sending the same number of messages (the same two templates with the same inputs, so the same work and sizes)
// to the same SMTP server, with a window of sends in flight. Runs in its own process, like the app, so both send
// from a process of their own to the SMTP server.
// Usage: node --experimental-strip-types bench/mail-floor.ts <smtp-url> <messages> <connections>; prints one
// JSON line.
import nodemailer from 'nodemailer';
import { accessLinkMail, accessTokenMail } from '../src/mail/templates.ts';

const [smtpUrl, countText, connectionsText] = process.argv.slice(2);
const count = Number(countText);
const connections = Number(connectionsText);
if (!smtpUrl || !Number.isInteger(count) || count < 0 || !Number.isInteger(connections) || connections < 1) {
  process.stderr.write('usage: mail-floor.ts <smtp-url> <messages> <connections>\n');
  process.exit(2);
}

const transport = nodemailer.createTransport({
  url: smtpUrl,
  pool: true,
  maxConnections: connections,
  logger: false,
  debug: false,
});
const sentAt = new Date();
const startsAt = new Date(sentAt.getTime() + 86_400_000);
const endsAt = new Date(startsAt.getTime() + 7 * 86_400_000);
const expiresAt = new Date(startsAt.getTime() + 86_400_000);
// What the app's emails say about who asked (the bench's wizard and fake Slack give the same kind of values).
const context = {
  requesterName: 'Bench Requester',
  organisation: 'Bench Workspace',
  justification: 'Scheduled maintenance',
  supportContact: undefined,
};
// A window of sends in flight keeps every pooled connection busy without building every message up front.
const IN_FLIGHT = 64;
let next = 0;
async function sendNext(): Promise<void> {
  while (next < count) {
    const index = next;
    next += 1;
    const user = Math.floor(index / 2);
    const to = `bench.person.${user}@globex.example`;
    const content =
      index % 2 === 0
        ? accessLinkMail({
            ...context,
            to,
            userName: `Bench Person ${user}`,
            vendorName: 'Globex',
            link: `https://domum.example.com/access/${String(user).padStart(22, 'x')}`,
            accessCode: `EXT-26-${String(user).padStart(6, '0')}`,
            startsAt,
            endsAt,
            timeZone: 'UTC',
          })
        : accessTokenMail({
            ...context,
            to,
            userName: `Bench Person ${user}`,
            vendorName: 'Globex',
            accessCode: `EXT-26-${String(user).padStart(6, '0')}`,
            token: 'ABCD-EFGH-JKMN',
            sentAt,
            expiresAt,
            timeZone: 'UTC',
          });
    await transport.sendMail({
      from: 'Domum <no-reply@localhost>',
      to,
      ...content,
      messageId: `<floor-${index}@localhost>`,
    });
  }
}
const started = performance.now();
const cpuBefore = process.cpuUsage();
await Promise.all(Array.from({ length: IN_FLIGHT }, () => sendNext()));
const elapsedMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
transport.close();
process.stdout.write(`${JSON.stringify({ messages: count, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
