// The App Home tab (README, "Where things stand"): "My imports and requests", "Awaiting my approval" with the
// card's Approve and Reject buttons, and for admins the catalog counts and everyone's latest imports.
// Published each time the user opens the tab.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../app-deps.ts';
import { publishHome } from '../status-services.ts';

export function createAppHomeOpenedListener(deps: AppDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  };
}
