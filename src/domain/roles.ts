// Who may do what (README "The catalog"): admins may also import and request; requesters may also import.
import type { RoleName } from '../db/schema.ts';

export interface Roles {
  isAdmin: boolean;
  canImport: boolean;
  canRequest: boolean;
}

export function resolveRoles(assigned: readonly RoleName[], isConfiguredAdmin: boolean): Roles {
  const isAdmin = isConfiguredAdmin || assigned.includes('admin');
  const canRequest = isAdmin || assigned.includes('requester');
  const canImport = canRequest || assigned.includes('importer');
  return { isAdmin, canImport, canRequest };
}
