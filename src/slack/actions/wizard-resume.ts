// Resume on the import modal: a request draft whose modal was closed continues where its answers stop.
import type { AppDeps } from '../../app-deps.ts';
import type { WizardStep } from '../../domain/request-draft.ts';
import { buildStepView, openDraftInView } from '../wizard/wizard-step-view.ts';
import type { WizardButtonArgs } from '../wizard/wizard-step-view.ts';

export function createWizardResume(deps: AppDeps) {
  return async (args: WizardButtonArgs): Promise<void> => {
    const { ack, body, client } = args;
    await ack();
    const view = body.view;
    const draftId = (args.action as { value?: string }).value;
    if (!view || !draftId) return;
    const access = await openDraftInView(deps, args, draftId);
    if (!access) return;
    const { data } = access;
    const step: WizardStep = !data.general
      ? 'general'
      : !data.deviceIds?.length
        ? 'devices'
        : !data.grants?.length
          ? 'credentials'
          : !data.limitation
            ? 'limitation'
            : 'review';
    await client.views.update({ view_id: view.id, hash: view.hash, view: await buildStepView(deps, access, step) });
  };
}
