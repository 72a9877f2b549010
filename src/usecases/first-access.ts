// The third-party user's first access (README, "Importing users" → The landing page): the emailed link plus
// the one-time token. Opening the link changes nothing; a correct, unexpired token activates the access once;
// wrong tokens count, and the fifth locks the access until a new token is sent.
import type { Db } from '../db/schema.ts';
import { findAccessByLink, markFirstAccessActivated, setFailedTokenAttempts } from '../db/repos/access-repo.ts';
import type { AccessForPage } from '../db/repos/access-repo.ts';
import { recordAuditEvent } from '../db/repos/audit-repo.ts';
import { tokenMatches } from './access-secrets.ts';

export const MAX_TOKEN_ATTEMPTS = 5;

// The landing page reads an access through this use case's module, never a repository.
export { findAccessByLink };
export type { AccessForPage };

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
    if (result.kind === 'activated') await markFirstAccessActivated(trx, result.access.id, now);
    else await setFailedTokenAttempts(trx, access?.id ?? 0, attempts);
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
