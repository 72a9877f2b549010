// The "Approve except…" modal's users select, for a request with more users than a static select holds (an
// external data source): the request's users whose name, email or vendor match what is typed. Only an approver
// who may decide the request is shown anyone.
import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { mayListExcludableUsers, searchExcludableUsers } from '../../usecases/request-exclusions.ts';
import { toSlackOptions } from '../blocks/catalog-options.ts';
import { decisionMetadata, readPrivateMetadata } from '../private-metadata.ts';

type OptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;

export function createExcludedUserOptions(deps: AppDeps) {
  return async ({ ack, body, options }: OptionsArgs): Promise<void> => {
    const metadata = readPrivateMetadata(decisionMetadata, body.view?.private_metadata);
    // Asked at every keystroke, so user groups are read through the cache; the submission checks again.
    const allowed =
      metadata !== undefined &&
      (await mayListExcludableUsers(
        { db: deps.db, usergroupMembers: deps.approverGroups.cached },
        metadata.requestId,
        body.user.id,
      ));
    if (!allowed) {
      await ack({ options: [] });
      return;
    }
    const result = await searchExcludableUsers(deps.db, { requestId: metadata.requestId, text: options.value ?? '' });
    await ack({ options: toSlackOptions(result).options });
  };
}
