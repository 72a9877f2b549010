// Fault suite: the PostgreSQL server is restarted for real (`pg_ctlcluster … restart`) in the middle of
// provisioning. Every connection dies; the app pauses, reconnects by itself and completes, with no line in
// error, no duplicate access, and no email sent twice beyond the ones in flight at the restart. It restarts
// the machine's PostgreSQL, so it runs only with TEST_DATABASE_URL set, and only in this suite (files one at
// a time, never beside `npm test`).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, it } from 'vitest';
import { establishedConnectionsTo } from '../support/child-app.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import { startTestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';
import { approveThroughModal, expectCompleteRun, requestAwaitingApproval } from './fault-run.ts';

const LINES = 400;
const run = promisify(execFile);
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe.skipIf(!process.env['TEST_DATABASE_URL'])(
  'PostgreSQL restarted mid-run (needs TEST_DATABASE_URL: the embedded database has no server to restart)',
  () => {
    it('pauses provisioning, which resumes and completes with nothing lost or duplicated', async () => {
      const smtp = await startSmtpCapture();
      closers.push(() => smtp.close());
      const app = await startTestApp({ env: { SMTP_URL: smtp.url, MAIL_RATE_PER_SECOND: '1000' } });
      const request = await requestAwaitingApproval(app, { lines: LINES, channel: 'C0PGRESTRT', prefix: 'pg-restart' });
      await approveThroughModal(app, request.id);

      await smtp.waitForMessages(LINES / 2, 60_000);
      const smtpConnections = await establishedConnectionsTo(smtp.port);
      const { stdout } = await run('bash', [
        '-c',
        'pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main restart && pg_lsclusters',
      ]);
      process.stdout.write(`postgres-restart: restarted after ${smtp.messages.length} emails\n${stdout}`);
      await waitFor(async () => (await fetch(`${app.baseUrl}/readyz`)).status === 200, {
        description: 'the app to reach PostgreSQL again',
        timeoutMs: 30_000,
      });

      await app.slackApi.waitForCall(
        'chat.postMessage',
        (call) => String(call.args.text).startsWith('Summary'),
        120_000,
      );
      // An email accepted while its record could not be written is recorded once PostgreSQL is back, so only a
      // job handed to another attempt mid-email could send one twice: at most one per SMTP connection.
      await expectCompleteRun(app, {
        requestId: request.id,
        lines: LINES,
        messages: smtp.messages,
        maxDuplicates: smtpConnections,
      });
    });
  },
);
