// Fault suite: the mail server becomes unreachable in the middle of provisioning (its connections cut, new
// ones refused) and comes back. Provisioning waits with backoff, marks no line in error, and once the server
// is back delivers everything, with no email sent twice beyond the ones in flight at the cut.
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';
import { approveThroughModal, expectCompleteRun, requestAwaitingApproval } from './fault-run.ts';

const LINES = 100;
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('an SMTP outage mid-run', () => {
  it('pauses the emails, then delivers everything once the mail server is back, with no line in error', async () => {
    const smtp = await startSmtpCapture();
    const proxy = await startTcpProxy(smtp.host, smtp.port);
    closers.push(
      () => proxy.close(),
      () => smtp.close(),
    );
    const app = await startTestApp({
      env: { SMTP_URL: `smtp://127.0.0.1:${proxy.port}`, MAIL_RATE_PER_SECOND: '1000' },
    });
    const request = await requestAwaitingApproval(app, { lines: LINES, channel: 'C0SMTPOUT', prefix: 'smtp-outage' });
    await approveThroughModal(app, request.id);

    await smtp.waitForMessages(LINES / 2, 60_000);
    // Each SMTP connection is two sockets in the proxy (the app's side and the server's).
    const connectionsAtCut = Math.ceil(proxy.openConnections() / 2);
    await proxy.cut('refuse');
    // Down for as long as it takes the app to fail to send several times over (each failed attempt of a
    // chunk is logged), then back.
    const failures = () => app.logs.filter((line) => line['message'] === 'mail not sent').length;
    await waitFor(() => failures() >= 4, {
      description: 'several failed attempts to reach the mail server',
      timeoutMs: 60_000,
    });
    const deliveredDuringOutage = smtp.messages.length;
    expect(
      await app.running.deps.db
        .selectFrom('import_lines')
        .select('line_number')
        .where('outcome', '=', 'error')
        .execute(),
    ).toEqual([]);
    await proxy.restore();

    await app.slackApi.waitForCall('chat.postMessage', (call) => String(call.args.text).startsWith('Summary'), 120_000);
    expect(smtp.messages.length).toBeGreaterThan(deliveredDuringOutage);
    // A message cut mid-transfer may have been accepted without the app hearing so: one per connection.
    await expectCompleteRun(app, {
      requestId: request.id,
      lines: LINES,
      messages: smtp.messages,
      maxDuplicates: connectionsAtCut,
    });
  });
});
