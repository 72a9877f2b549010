// The caches status answers share within one process: approver user-group members and message permalinks.
import type { AppDeps } from '../app-deps.ts';
import { createPermalinkResolver } from './permalinks.ts';
import type { PermalinkResolver } from './permalinks.ts';
import { createUsergroupMembers } from './usergroup-members.ts';
import type { UsergroupMembers } from './usergroup-members.ts';

export interface StatusServices {
  usergroupMembers: UsergroupMembers;
  permalinks: PermalinkResolver;
}

const byDeps = new WeakMap<AppDeps, StatusServices>();

export function statusServices(deps: AppDeps): StatusServices {
  let services = byDeps.get(deps);
  if (!services) {
    const logger = deps.logger.child({ component: 'slack' });
    services = {
      usergroupMembers: createUsergroupMembers(deps.slack, logger, deps.now),
      permalinks: createPermalinkResolver(logger),
    };
    byDeps.set(deps, services);
  }
  return services;
}
