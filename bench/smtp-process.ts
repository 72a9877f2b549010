// The SMTP server on loopback both the app and the nodemailer floor send to: test/support/smtp-capture.ts, in
// a process of its own so its work neither slows the driver's Slack acknowledgement probe nor counts in the
// app's memory. It keeps only a count: captured messages are dropped as they arrive (90,000 messages of a
// 50,000-line run would otherwise sit in memory).
// IPC: sends { type: 'listening', url }; answers { type: 'count' } with { type: 'count', messages, rejections }.
import { startSmtpCapture } from '../test/support/smtp-capture.ts';

export type SmtpProcessMessage =
  { type: 'listening'; url: string } | { type: 'count'; messages: number; rejections: number };

const capture = await startSmtpCapture();
let messages = 0;
let rejections = 0;

function drain(): void {
  messages += capture.messages.length;
  rejections += capture.rejections.length;
  capture.reset();
}
const timer = setInterval(drain, 200);

process.on('message', (message: { type: 'count' } | { type: 'stop' }) => {
  if (message.type === 'count') {
    drain();
    process.send?.({ type: 'count', messages, rejections } satisfies SmtpProcessMessage);
    return;
  }
  clearInterval(timer);
  void capture.close().then(() => process.disconnect());
});
process.send?.({ type: 'listening', url: capture.url } satisfies SmtpProcessMessage);
