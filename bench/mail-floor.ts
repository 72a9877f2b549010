// Floor for the email phase: bare nodemailer, pooled with its defaults, sending the same number of messages
// (the same two templates, so the same sizes) to the same SMTP server, with a window of sends in flight.
// Runs in its own process, like the app, so both send from a process of their own to the SMTP server.
// Usage: node --experimental-strip-types bench/mail-floor.ts <smtp-url> <messages>; prints one JSON line.
import nodemailer from 'nodemailer';
import { accessLinkMail, accessTokenMail } from '../src/mail/templates.ts';

const [smtpUrl, countText] = process.argv.slice(2);
const count = Number(countText);
if (!smtpUrl || !Number.isInteger(count) || count < 0) {
  process.stderr.write('usage: mail-floor.ts <smtp-url> <messages>\n');
  process.exit(2);
}

const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, logger: false, debug: false });
const expiresAt = new Date(Date.now() + 3_600_000);
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
            to,
            userName: `Bench Person ${user}`,
            vendorName: 'Globex',
            link: `https://domum.example.com/access/${String(user).padStart(22, 'x')}`,
            accessCode: `EXT-26-${String(user).padStart(6, '0')}`,
          })
        : accessTokenMail({
            to,
            userName: `Bench Person ${user}`,
            token: 'ABCD-EFGH-JKMN',
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
