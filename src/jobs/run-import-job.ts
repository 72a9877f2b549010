// import.run: create the users of a continued import, then reply with the summary.
import { publishImportSummary } from '../usecases/import-notices.ts';
import type { AppDeps } from '../app-deps.ts';
import { runImport } from '../usecases/import-lifecycle.ts';
import { provisionAfterImport } from '../usecases/provision-request.ts';
import type { JobHandler } from './job-queue.ts';

export function runImportJob(deps: AppDeps): JobHandler<{ importId: number }> {
  return async ({ importId }, context) => {
    const result = await runImport(deps, importId);
    if (result.kind === 'done') context.logger.info('import done', { import: result.import.code, ...result.counts });
    await provisionAfterImport(deps, importId);
    await publishImportSummary(deps, importId);
  };
}
