// The App Home tab (SPEC §4; issue: status): "My imports and requests", "Awaiting my approval" with the card's
// Approve and Reject buttons, and for admins the catalog counts and everyone's latest imports. Published each
// time the user opens the tab.
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { catalogCounts, listAwaitingMyDecision, listLatestImports, listMyItems } from '../../usecases/status-report.ts';
import { buildHomeView } from '../blocks/status-blocks.ts';
import { viewerOf } from '../commands/status-command.ts';
import type { AppDeps } from '../../app-deps.ts';
import { statusServices } from '../status-services.ts';

export async function publishHome(deps: AppDeps, client: WebClient, userId: string): Promise<void> {
  const services = statusServices(deps);
  const viewer = await viewerOf(deps, userId);
  const [mine, awaiting, admin] = await Promise.all([
    listMyItems(deps.db, userId, { offset: 0 }),
    listAwaitingMyDecision({ db: deps.db, usergroupMembers: services.usergroupMembers }, userId),
    viewer.roles.isAdmin
      ? Promise.all([catalogCounts(deps.db), listLatestImports(deps.db)]).then(([counts, latestImports]) => ({
          counts,
          latestImports,
        }))
      : Promise.resolve(undefined),
  ]);
  const permalinks = await services.permalinks(client, [...mine.items, ...awaiting, ...(admin?.latestImports ?? [])]);
  const view = buildHomeView({
    items: mine.items,
    more: mine.more,
    awaiting,
    ...(admin ? { admin } : {}),
    now: deps.now(),
    permalinks,
  });
  await client.views.publish({ user_id: userId, view });
}

export function createAppHomeOpenedListener(deps: AppDeps) {
  return async ({ event, client }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  };
}
