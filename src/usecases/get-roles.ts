import { findAssignedRoles } from '../db/repos/role-repo.ts';
import type { Executor } from '../db/schema.ts';
import { resolveRoles } from '../domain/roles.ts';
import type { Roles } from '../domain/roles.ts';

export interface RoleDeps {
  db: Executor;
  /** DOMUM_ADMIN_USER_IDS: the first admins, before any catalog is loaded. */
  adminUserIds: readonly string[];
}

export async function getRoles(deps: RoleDeps, slackUserId: string): Promise<Roles> {
  const assigned = await findAssignedRoles(deps.db, slackUserId);
  return resolveRoles(assigned, deps.adminUserIds.includes(slackUserId));
}
