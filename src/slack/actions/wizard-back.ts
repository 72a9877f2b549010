// Back in the request wizard: the previous step, with what was saved for it.
import type { AppDeps } from '../../app-deps.ts';
import { previousStep } from '../../domain/request-draft.ts';
import { updateFromAction } from '../wizard/wizard-step-view.ts';
import type { WizardButtonArgs } from '../wizard/wizard-step-view.ts';

export function createWizardBack(deps: AppDeps) {
  return (args: WizardButtonArgs) => updateFromAction(deps, args, (current) => Promise.resolve(previousStep(current)));
}
