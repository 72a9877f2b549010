// The check job when Slack keeps failing: retried while retries remain, and on the last attempt the import
// ends as failed with a reason the user can act on, instead of staying "Validating" forever.
import { describe, expect, it } from 'vitest';
import { findImportById } from '../../src/db/repos/import-repo.ts';
import { checkImportJob } from '../../src/jobs/check-import-job.ts';
import { createLogger } from '../../src/logger.ts';
import { startImportFromUpload } from '../../src/usecases/import-lifecycle.ts';
import { startTestApp } from '../support/test-app.ts';

const quiet = createLogger({ level: 'error', write: () => undefined });

describe('import.check when Slack keeps failing', () => {
  it('throws (to be retried) before the last attempt, and fails the import with a reason on the last one', async () => {
    const app = await startTestApp({ role: 'web' });
    const deps = app.running.deps;
    const file = app.slackApi.addFile({
      name: 'users.xlsx',
      bytes: Buffer.from('irrelevant'),
      user: 'U0IMPORT1',
      channels: ['C0IMPORTS1'],
    });
    const record = await startImportFromUpload(deps, {
      fileName: 'users.xlsx',
      importerUserId: 'U0IMPORT1',
      source: 'upload',
      slackFileId: file.id,
      channelId: 'C0IMPORTS1',
      threadTs: '1700000000.000100',
    });
    if (!record) throw new Error('no import');
    app.slackApi.failNext('files.info', { status: 500 }, 1_000);
    const run = checkImportJob(deps);
    await expect(
      run({ importId: record.id }, { jobId: 'j1', retryCount: 0, isLastAttempt: false, logger: quiet }),
    ).rejects.toThrow();
    expect((await findImportById(deps.db, record.id))?.status).toBe('validating');

    await run({ importId: record.id }, { jobId: 'j1', retryCount: 8, isLastAttempt: true, logger: quiet });
    const failed = await findImportById(deps.db, record.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failure_reason).toContain('Try again in a few minutes');
    const reply = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === '1700000000.000100',
    );
    expect(String(reply.args.text)).toContain('cannot be imported');
  });
});
