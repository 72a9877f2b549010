// A change of the credentials chosen in the request wizard (the select dispatches block_actions): the choice is
// saved and the step re-rendered, so each chosen credential gets its permission checkboxes, Start session ticked
// for one just chosen.
import type { AppDeps } from '../../app-deps.ts';
import { saveDraft } from '../../usecases/request-wizard.ts';
import { parseGrant } from '../wizard/wizard-parse.ts';
import type { StateValues } from '../wizard/wizard-parse.ts';
import { credentialsOnChosenDevices, updateFromAction } from '../wizard/wizard-step-view.ts';
import type { WizardButtonArgs } from '../wizard/wizard-step-view.ts';

export function createCredentialsChanged(deps: AppDeps) {
  return (args: WizardButtonArgs) =>
    updateFromAction(deps, args, async (current, access) => {
      if (current !== 'credentials' || !args.body.view) return undefined;
      const values = args.body.view.state.values as StateValues;
      const allowed = await credentialsOnChosenDevices(deps, values, access.data);
      const previous = new Map((access.data.grants ?? []).map((grant) => [grant.credentialId, grant]));
      // What is ticked on screen wins; a credential shown before keeps what was saved; a credential just chosen
      // starts with Start session ticked (its checkboxes appear now, with that as their initial option).
      const grants = allowed.map(
        (credential) =>
          parseGrant(values, credential.id) ??
          previous.get(credential.id) ?? { credentialId: credential.id, startSession: true, viewPassword: false },
      );
      await saveDraft(deps, access.draft.id, { ...access.data, grants });
      return 'credentials';
    });
}
