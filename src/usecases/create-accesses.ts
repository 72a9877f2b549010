// Provisioning, first step: one access per user the import created with Enabled = Yes (lines `created`),
// carrying the request's devices, credential grants, limitation and time zone, except the users approvers
// excluded ("Approve except…"), whose lines become `excluded` first. Chunked, and safe to run twice: an
// excluded line stays excluded, and the (request, user) unique constraint means a chunk that runs again creates
// nothing new.
import { countAccessesOfRequest, insertAccessesSkippingExisting } from '../db/repos/access-repo.ts';
import type { NewAccesses } from '../db/repos/access-repo.ts';
import { markExcludedLines } from '../db/repos/exclusion-repo.ts';
import { listCreatedUserIds } from '../db/repos/import-repo.ts';
import { findRequestById, listGrantSnapshots } from '../db/repos/request-repo.ts';
import type { Db } from '../db/schema.ts';
import { accessLimitationSchema, limitationEnd } from '../domain/access-limitation.ts';
import { generateLinkId } from './access-secrets.ts';

export interface CreateAccessesResult {
  /** Accesses this call created. */
  created: number;
  /** Accesses the request has in all (created now or before). */
  total: number;
}

export async function createAccessesForRequest(
  deps: { db: Db; now: () => Date },
  requestId: number,
  batchSize = 5_000,
): Promise<CreateAccessesResult> {
  const request = await findRequestById(deps.db, requestId);
  if (!request) throw new Error(`request ${requestId} not found`);
  const limitation = accessLimitationSchema.parse(request.limitation);
  const startsAt = new Date(limitation.start);
  const endsAt = limitationEnd(limitation);
  const status = deps.now().getTime() < startsAt.getTime() ? 'scheduled' : 'active';
  // A copy of the grants as they are now: the access keeps what was approved even if the catalog changes.
  const grants = await listGrantSnapshots(deps.db, requestId);
  // Exclusions are only taken while the request awaits approval (decideRequest, with the request locked), so
  // the set is final by now; marking the lines before listing them keeps every excluded user out.
  await markExcludedLines(deps.db, { requestId, importId: request.import_id });
  const userIds = await listCreatedUserIds(deps.db, request.import_id);
  const accesses: NewAccesses = {
    requestId,
    startsAt,
    endsAt,
    timeZone: request.time_zone,
    grants,
    limitation,
    status,
  };
  let created = 0;
  for (let start = 0; start < userIds.length; start += batchSize) {
    const users = userIds.slice(start, start + batchSize).map((userId) => ({ userId, linkId: generateLinkId() }));
    created += await insertAccessesSkippingExisting(deps.db, accesses, users);
  }
  return { created, total: await countAccessesOfRequest(deps.db, requestId) };
}
