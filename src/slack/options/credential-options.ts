// The request wizard's Credentials select (an external data source): credentials matching what is typed, offered
// only for the devices chosen in the draft behind the view.
import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { openDraft } from '../../usecases/request-wizard.ts';
import { searchCredentialOptions } from '../../usecases/search-catalog.ts';
import { toSlackOptions } from '../blocks/catalog-options.ts';
import { readPrivateMetadata, wizardMetadata } from '../private-metadata.ts';
import { wizardDeps } from '../wizard/wizard-step-view.ts';

type OptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;

export function createCredentialOptions(deps: AppDeps) {
  return async ({ ack, body, options }: OptionsArgs): Promise<void> => {
    const metadata = readPrivateMetadata(wizardMetadata, body.view?.private_metadata);
    const access = metadata ? await openDraft(wizardDeps(deps), metadata.draftId, body.user.id) : undefined;
    if (!access?.ok || !access.data.deviceIds?.length) {
      await ack({ options: [] });
      return;
    }
    const result = await searchCredentialOptions(
      { db: deps.db },
      { deviceIds: access.data.deviceIds, text: options.value ?? '' },
    );
    await ack({ options: toSlackOptions(result).options });
  };
}
