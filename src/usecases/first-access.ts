// The third-party user's first access (SPEC §5): the emailed link plus the one-time token. Opening the link
// changes nothing; a correct, unexpired token activates the access once; wrong tokens count, and the fifth
// locks the access until a new token is sent.
import type { Db, Executor } from '../db/schema.ts';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { tokenMatches } from './access-secrets.ts';

export const MAX_TOKEN_ATTEMPTS = 5;
/** Link ids are 22 characters; anything longer is cut before the lookup (and then not found). */
const MAX_LINK_ID_LENGTH = 64;

export interface AccessForPage {
  id: number;
  code: string;
  userName: string;
  email: string;
  vendorName: string;
  linkId: string;
  status: string;
  firstAccessState: string;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  grants: unknown;
  limitation: unknown;
  tokenHash: string | null;
  tokenExpiresAt: Date | null;
  tokenEmailSentAt: Date | null;
  failedTokenAttempts: number;
}

/**
 * Where a link stands, for the page: `open` asks for the token. An access past its end is `finished` even
 * before anything marks it so, and one whose emails the mail server refused is `on-hold` until a retry.
 */
export type LinkState = 'unknown' | 'cancelled' | 'finished' | 'on-hold' | 'activated' | 'open';

export function linkState(access: AccessForPage | undefined, now: Date): LinkState {
  if (!access) return 'unknown';
  if (access.status === 'cancelled') return 'cancelled';
  if (access.status === 'finished' || access.endsAt.getTime() <= now.getTime()) return 'finished';
  if (access.status === 'error') return 'on-hold';
  if (access.firstAccessState === 'activated') return 'activated';
  return 'open';
}

/**
 * One query whatever the link: a malformed or unknown id is looked up like any other (and not found), so its
 * answer takes the same time. `forUpdate` locks the access row (only it, not the user or vendor).
 */
export async function findAccessByLink(
  db: Executor,
  linkId: string,
  options: { forUpdate?: boolean } = {},
): Promise<AccessForPage | undefined> {
  let query = db
    .selectFrom('accesses as a')
    .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
    .innerJoin('vendors as v', 'v.id', 'u.vendor_id')
    .select([
      'a.id',
      'a.code',
      'u.name',
      'u.email',
      'v.name as vendor_name',
      'a.link_id',
      'a.status',
      'a.first_access_state',
      'a.starts_at',
      'a.ends_at',
      'a.time_zone',
      'a.grants',
      'a.limitation',
      'a.token_hash',
      'a.token_expires_at',
      'a.token_email_sent_at',
      'a.failed_token_attempts',
    ])
    .where('a.link_id', '=', linkId.slice(0, MAX_LINK_ID_LENGTH));
  if (options.forUpdate) query = query.forUpdate('a');
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    code: row.code,
    userName: row.name,
    email: row.email,
    vendorName: row.vendor_name,
    linkId: row.link_id,
    status: row.status,
    firstAccessState: row.first_access_state,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    timeZone: row.time_zone,
    grants: row.grants,
    limitation: row.limitation,
    tokenHash: row.token_hash,
    tokenExpiresAt: row.token_expires_at,
    tokenEmailSentAt: row.token_email_sent_at,
    failedTokenAttempts: row.failed_token_attempts,
  };
}

export type ActivationResult =
  | { kind: 'activated'; access: AccessForPage }
  | { kind: 'wrong-token'; access: AccessForPage; attemptsLeft: number }
  | { kind: 'locked' }
  | { kind: 'expired' }
  | { kind: 'used' }
  | { kind: 'unavailable'; state: Exclude<LinkState, 'open' | 'activated'> };

export async function activateFirstAccess(
  deps: { db: Db; now: () => Date; secretKey: string },
  linkId: string,
  tokenInput: unknown,
): Promise<ActivationResult> {
  return deps.db.transaction().execute(async (trx) => {
    const access = await findAccessByLink(trx, linkId, { forUpdate: true });
    const now = deps.now();
    // Checked in every case, so a request's timing does not tell which link ids exist.
    const matches = tokenMatches(deps.secretKey, tokenInput, access?.tokenHash ?? '');
    const state = linkState(access, now);
    let result: ActivationResult;
    let attempts = access?.failedTokenAttempts ?? 0;
    if (!access || state === 'unknown' || state === 'cancelled' || state === 'finished' || state === 'on-hold')
      result = { kind: 'unavailable', state: state as Exclude<LinkState, 'open' | 'activated'> };
    else if (state === 'activated') result = { kind: 'used' };
    else if (attempts >= MAX_TOKEN_ATTEMPTS) result = { kind: 'locked' };
    else if (!access.tokenHash || !access.tokenExpiresAt) result = { kind: 'expired' };
    else if (!matches) {
      attempts += 1;
      result =
        attempts >= MAX_TOKEN_ATTEMPTS
          ? { kind: 'locked' }
          : { kind: 'wrong-token', access, attemptsLeft: MAX_TOKEN_ATTEMPTS - attempts };
    } else if (access.tokenExpiresAt.getTime() <= now.getTime()) result = { kind: 'expired' };
    else result = { kind: 'activated', access };

    // The same two writes whatever the outcome — one UPDATE (of no row when the link is unknown: identity ids
    // start at 1) and one audit event — so neither the database work nor the time tells a caller anything.
    await trx
      .updateTable('accesses')
      .set(
        result.kind === 'activated'
          ? {
              first_access_state: 'activated',
              activated_at: now,
              token_hash: null,
              token_expires_at: null,
              updated_at: now,
            }
          : { failed_token_attempts: attempts },
      )
      .where('id', '=', access?.id ?? 0)
      .execute();
    await recordAuditEvent(trx, {
      actor: 'third-party',
      action: result.kind === 'activated' ? 'access.activated' : 'access.token_refused',
      target: access?.code ?? null,
      details:
        result.kind === 'activated'
          ? {}
          : { reason: result.kind === 'unavailable' ? result.state : result.kind, attempts },
    });
    return result;
  });
}
