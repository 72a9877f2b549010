// What the status answers share — `/domum status` and its More button, the App Home, and the App Home's refresh
// after a decision: who is asking, the list message of one page, the Home view, and within one process the
// approver user-group members (the cache built in src/main.ts) and message permalinks (cached here).
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../app-deps.ts';
import { getRoles } from '../usecases/get-roles.ts';
import {
  catalogCounts,
  findStatusDetail,
  listAwaitingMyDecision,
  listLatestImports,
  listMyItems,
} from '../usecases/status-report.ts';
import type { RequestDetail, StatusItem, Viewer } from '../usecases/status-report.ts';
import { buildHomeView, buildStatusList } from './blocks/status-blocks.ts';
import { createPermalinkResolver } from './permalinks.ts';
import type { PermalinkResolver } from './permalinks.ts';
import type { UsergroupMembers } from './usergroup-members.ts';

export interface StatusServices {
  usergroupMembers: UsergroupMembers;
  permalinks: PermalinkResolver;
}

const permalinksByDeps = new WeakMap<AppDeps, PermalinkResolver>();

export function statusServices(deps: AppDeps): StatusServices {
  let permalinks = permalinksByDeps.get(deps);
  if (!permalinks) {
    permalinks = createPermalinkResolver(deps.logger.child({ component: 'slack' }));
    permalinksByDeps.set(deps, permalinks);
  }
  return { usergroupMembers: deps.approverGroups.cached, permalinks };
}

export async function viewerOf(deps: AppDeps, userId: string): Promise<Viewer> {
  return { userId, roles: await getRoles({ db: deps.db, adminUserIds: deps.config.adminUserIds }, userId) };
}

/** The list message for one page; the awaiting-decision part on the first page only. */
export async function statusListMessage(deps: AppDeps, client: WebClient, viewer: Viewer, offset: number) {
  const services = statusServices(deps);
  const [mine, awaiting] = await Promise.all([
    listMyItems(deps.db, viewer.userId, { offset }),
    offset === 0
      ? listAwaitingMyDecision({ db: deps.db, usergroupMembers: services.usergroupMembers }, viewer.userId)
      : Promise.resolve([]),
  ]);
  const permalinks = await services.permalinks(client, [...mine.items, ...awaiting]);
  return buildStatusList({ items: mine.items, awaiting, more: mine.more, offset, now: deps.now(), permalinks });
}

/** Publishes the user's App Home: what they imported and requested, what awaits them, and for admins more. */
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
  const [permalinks, briefs] = await Promise.all([
    services.permalinks(client, [...mine.items, ...awaiting, ...(admin?.latestImports ?? [])]),
    awaitingBriefs(deps, awaiting, viewer),
  ]);
  const view = buildHomeView({
    items: mine.items,
    more: mine.more,
    awaiting,
    briefs,
    viewerIsAdmin: viewer.roles.isAdmin,
    ...(admin ? { admin } : {}),
    now: deps.now(),
    permalinks,
  });
  await client.views.publish({ user_id: userId, view });
}

/** Each awaiting request in detail, so an approver sees what they decide on before pressing Approve. */
async function awaitingBriefs(
  deps: AppDeps,
  awaiting: StatusItem[],
  viewer: Viewer,
): Promise<Map<string, RequestDetail>> {
  const statusDeps = { db: deps.db, usergroupMembers: statusServices(deps).usergroupMembers };
  const details = await Promise.all(
    awaiting.map((item) => findStatusDetail(statusDeps, { kind: 'request', code: item.code }, viewer)),
  );
  const briefs = new Map<string, RequestDetail>();
  for (const detail of details) if (detail?.kind === 'request') briefs.set(detail.item.code, detail);
  return briefs;
}
