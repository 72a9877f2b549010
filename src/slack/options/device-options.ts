// The request wizard's Devices select (an external data source): the catalog's devices matching what is typed.
import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { searchDeviceOptions } from '../../usecases/search-catalog.ts';
import { toSlackOptions } from '../blocks/catalog-options.ts';

type OptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;

export function createDeviceOptions(deps: AppDeps) {
  return async ({ ack, options }: OptionsArgs): Promise<void> => {
    const result = await searchDeviceOptions({ db: deps.db }, options.value ?? '');
    await ack({ options: toSlackOptions(result).options });
  };
}
