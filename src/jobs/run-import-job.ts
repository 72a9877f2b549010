// import.run: create the users of a continued import, then reply with the summary.
import { publishSummary } from '../slack/import-publisher.ts';
import type { AppDeps } from '../slack/deps.ts';
import { runImport } from '../usecases/import-lifecycle.ts';
import type { JobHandler } from './job-queue.ts';

export function runImportJob(deps: AppDeps): JobHandler<{ importId: number }> {
  return async ({ importId }, context) => {
    const result = await runImport(deps, importId);
    if (result.kind === 'done') context.logger.info('import done', { import: result.import.code, ...result.counts });
    await publishSummary(deps, importId);
  };
}
