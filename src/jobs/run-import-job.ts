// import.run: create the users of a continued import, then reply with the summary.
import { publishImportSummary } from '../usecases/import-notices.ts';
import type { AppDeps } from '../app-deps.ts';
import { runImport } from '../usecases/import-lifecycle.ts';
import type { JobHandler } from './job-queue.ts';
import { provisionRequestQueue } from './queues.ts';

export function runImportJob(deps: AppDeps): JobHandler<{ importId: number }> {
  return async ({ importId }, context) => {
    const result = await runImport(deps, importId);
    if (result.kind === 'done') context.logger.info('import done', { import: result.import.code, ...result.counts });
    // A request approved while its users were still being imported starts provisioning now.
    const request = await deps.db
      .selectFrom('access_requests')
      .select(['id', 'status'])
      .where('import_id', '=', importId)
      .executeTakeFirst();
    if (request?.status === 'approved') {
      await deps.db
        .transaction()
        .execute((trx) =>
          deps.jobs.enqueue(
            trx,
            provisionRequestQueue,
            { requestId: request.id },
            { singletonKey: `provision-${request.id}` },
          ),
        );
    }
    await publishImportSummary(deps, importId);
  };
}
