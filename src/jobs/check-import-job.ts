// import.check: download the spreadsheet from Slack, run the dry run, store it, show the preview.
import type { AppDeps } from '../app-deps.ts';
import { publishPreview } from '../usecases/import-notices.ts';
import { checkImport, FileUnavailableError } from '../usecases/import-lifecycle.ts';
import type { JobHandler } from './job-queue.ts';

export function checkImportJob(deps: AppDeps): JobHandler<{ importId: number }> {
  const limits = { maxBytes: deps.config.importMaxBytes, maxRows: deps.config.importMaxRows };
  return async ({ importId }, context) => {
    const checkDeps = { db: deps.db, jobs: deps.jobs, now: deps.now, limits, spreadsheets: deps.spreadsheets };
    const result = await checkImport(checkDeps, importId, async (record) => {
      if (!record.slack_file_id) throw new FileUnavailableError('The import has no file.');
      try {
        return await deps.files.download(record.slack_file_id, limits.maxBytes);
      } catch (error) {
        // Slack unreachable or failing, attempt after attempt: the import ends as failed with a reason the
        // user can act on, instead of staying "Validating" forever.
        if (context.isLastAttempt && !(error instanceof FileUnavailableError)) {
          context.logger.error('giving up on the file download', { error });
          throw new FileUnavailableError(
            'Slack did not hand over the file after several attempts. Try again in a few minutes.',
          );
        }
        throw error;
      }
    });
    if (result.kind === 'missing') return;
    context.logger.info('import checked', { import: result.import.code, outcome: result.kind });
    await publishPreview(deps, importId, context.logger);
  };
}
