// What status answers share within one process: approver user-group members (the cache built in src/main.ts)
// and message permalinks (cached here, one resolver per process).
import type { AppDeps } from '../app-deps.ts';
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
