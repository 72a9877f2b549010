// The third-party user's first access (SPEC §5): the emailed link plus the one-time token. Opening the link
// changes nothing; a correct, unexpired token activates the access once; wrong tokens count, and the fifth
// locks the access until a new token is sent.
import type { Db, Executor } from '../db/schema.ts';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { tokenMatches } from './access-secrets.ts';

export const MAX_TOKEN_ATTEMPTS = 5;

export interface AccessForPage {
  id: number;
  code: string;
  userName: string;
  vendorName: string;
  status: string;
  firstAccessState: string;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  grants: unknown;
  limitation: unknown;
  tokenHash: string | null;
  tokenExpiresAt: Date | null;
  failedTokenAttempts: number;
}

export async function findAccessByLink(db: Executor, linkId: string): Promise<AccessForPage | undefined> {
  // A malformed id is looked up like any other (and not found), so its answer takes the same time.
  const row = await db
    .selectFrom('accesses as a')
    .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
    .innerJoin('vendors as v', 'v.id', 'u.vendor_id')
    .select(['a.id', 'a.code', 'u.name', 'v.name as vendor_name', 'a.status', 'a.first_access_state', 'a.starts_at', 'a.ends_at', 'a.time_zone', 'a.grants', 'a.limitation', 'a.token_hash', 'a.token_expires_at', 'a.failed_token_attempts'])
    .where('a.link_id', '=', linkId.slice(0, 64))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    code: row.code,
    userName: row.name,
    vendorName: row.vendor_name,
    status: row.status,
    firstAccessState: row.first_access_state,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timeZone: row.time_zone,
    grants: row.grants,
    limitation: row.limitation,
    tokenHash: row.token_hash,
    tokenExpiresAt: row.token_expires_at,
    failedTokenAttempts: row.failed_token_attempts,
  };
}

export type ActivationResult =
  | { kind: 'activated'; access: AccessForPage }
  | { kind: 'wrong-token'; attemptsLeft: number }
  | { kind: 'locked' }
  | { kind: 'expired' }
  | { kind: 'used' }
  | { kind: 'unavailable' };

export async function activateFirstAccess(deps: { db: Db; now: () => Date; secretKey: string }, linkId: string, tokenInput: unknown): Promise<ActivationResult> {
  return deps.db.transaction().execute(async (trx) => {
    const locked = await trx.selectFrom('accesses').select(['id']).where('link_id', '=', linkId.slice(0, 64)).forUpdate().executeTakeFirst();
    const access = locked ? await findAccessByLink(trx, linkId) : undefined;
    // Checked in every case, so a request's timing does not tell which link ids exist.
    const matches = tokenMatches(deps.secretKey, tokenInput, access?.tokenHash ?? '');
    if (!access || access.status === 'cancelled' || access.status === 'finished' || access.status === 'error') return { kind: 'unavailable' as const };
    if (access.firstAccessState === 'activated') return { kind: 'used' as const };
    if (access.failedTokenAttempts >= MAX_TOKEN_ATTEMPTS) return { kind: 'locked' as const };
    if (!access.tokenHash || !access.tokenExpiresAt) return { kind: 'expired' as const };
    if (!matches) {
      const attempts = access.failedTokenAttempts + 1;
      await trx.updateTable('accesses').set({ failed_token_attempts: attempts, updated_at: new Date() }).where('id', '=', access.id).execute();
      await recordAuditEvent(trx, { actor: 'third-party', action: 'access.token_refused', target: access.code, details: { attempts } });
      return attempts >= MAX_TOKEN_ATTEMPTS ? { kind: 'locked' as const } : { kind: 'wrong-token' as const, attemptsLeft: MAX_TOKEN_ATTEMPTS - attempts };
    }
    if (access.tokenExpiresAt.getTime() <= deps.now().getTime()) return { kind: 'expired' as const };
    await trx
      .updateTable('accesses')
      .set({ first_access_state: 'activated', activated_at: deps.now(), token_hash: null, token_expires_at: null, updated_at: new Date() })
      .where('id', '=', access.id)
      .execute();
    await recordAuditEvent(trx, { actor: 'third-party', action: 'access.activated', target: access.code, details: {} });
    return { kind: 'activated' as const, access };
  });
}
