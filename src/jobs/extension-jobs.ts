// extension.announce, extension.apply and extension.expire (`/domum extend`, src/usecases/extend-request.ts):
// each calls its use case, which is safe to run twice.
import type { AppDeps } from '../app-deps.ts';
import { applyExtension, expireExtension } from '../usecases/extend-request.ts';
import { announceExtension } from '../usecases/extension-notices.ts';
import type { JobHandler } from './job-queue.ts';

export function announceExtensionJob(deps: AppDeps): JobHandler<{ extensionId: number }> {
  return async ({ extensionId }) => {
    await announceExtension(deps, extensionId);
  };
}

export function applyExtensionJob(deps: AppDeps): JobHandler<{ extensionId: number }> {
  return async ({ extensionId }, context) => {
    const outcome = await applyExtension(deps, extensionId);
    if (outcome !== 'nothing') context.logger.info('extension applied', { extension: extensionId, outcome });
  };
}

export function expireExtensionJob(deps: AppDeps): JobHandler<{ extensionId: number }> {
  return async ({ extensionId }, context) => {
    if (await expireExtension(deps, extensionId)) context.logger.info('extension expired', { extension: extensionId });
  };
}
