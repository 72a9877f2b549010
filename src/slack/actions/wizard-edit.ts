// Edit on the request wizard's Review: that step, whose Next then returns to Review.
import type { AppDeps } from '../../app-deps.ts';
import { WIZARD_STEPS } from '../../domain/request-draft.ts';
import { saveDraft } from '../../usecases/request-wizard.ts';
import { updateFromAction } from '../wizard/wizard-step-view.ts';
import type { WizardButtonArgs } from '../wizard/wizard-step-view.ts';

export function createWizardEdit(deps: AppDeps) {
  return (args: WizardButtonArgs) =>
    updateFromAction(deps, args, async (_current, access) => {
      const value = (args.action as { value?: string }).value;
      const step = WIZARD_STEPS.find((candidate) => candidate === value && candidate !== 'review');
      if (!step) return undefined;
      await saveDraft(deps, access.draft.id, { ...access.data, returnToReview: true });
      return step;
    });
}
