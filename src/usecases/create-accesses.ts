// Provisioning, first step: one access per user the import created with Enabled = Yes (lines `created`),
// carrying the request's devices, credential grants, limitation and time zone. Chunked, and safe to run
// twice: the (request, user) unique constraint means a chunk that runs again creates nothing new.
import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';
import { accessLimitationSchema, limitationEnd } from '../domain/access-limitation.ts';
import { generateLinkId } from './access-secrets.ts';

export interface AccessGrantSnapshot {
  credentialId: number;
  credentialExternalId: string;
  username: string;
  deviceName: string;
  startSession: boolean;
  viewPassword: boolean;
}

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
  const request = await deps.db
    .selectFrom('access_requests')
    .select(['id', 'import_id', 'limitation', 'time_zone'])
    .where('id', '=', requestId)
    .executeTakeFirstOrThrow();
  const limitation = accessLimitationSchema.parse(request.limitation);
  const startsAt = new Date(limitation.start);
  const endsAt = limitationEnd(limitation);
  const status = deps.now().getTime() < startsAt.getTime() ? 'scheduled' : 'active';
  // A copy of the grants as they are now: the access keeps what was approved even if the catalog changes.
  const grants: AccessGrantSnapshot[] = (
    await deps.db
      .selectFrom('access_request_grants as g')
      .innerJoin('credentials as c', 'c.id', 'g.credential_id')
      .innerJoin('devices as d', 'd.id', 'c.device_id')
      .select(['c.id', 'c.external_id', 'c.username', 'd.name as device_name', 'g.start_session', 'g.view_password'])
      .where('g.request_id', '=', requestId)
      .orderBy('c.id')
      .execute()
  ).map((row) => ({
    credentialId: row.id,
    credentialExternalId: row.external_id,
    username: row.username,
    deviceName: row.device_name,
    startSession: row.start_session,
    viewPassword: row.view_password,
  }));
  // Every user at once (an id per line: 50,000 lines are 200 KB): paging through import_lines instead costs
  // an index walk per page over the row versions the import's own update left behind, about 25 ms a page.
  const userIds = (
    await deps.db
      .selectFrom('import_lines')
      .select('user_id')
      .where('import_id', '=', request.import_id)
      .where('outcome', '=', 'created')
      .where('user_id', 'is not', null)
      .orderBy('line_number')
      .execute()
  ).map((line) => line.user_id as number);
  let created = 0;
  for (let start = 0; start < userIds.length; start += batchSize) {
    const batch = userIds.slice(start, start + batchSize);
    const { rows } = await sql<{ id: number }>`
      insert into accesses (user_id, request_id, starts_at, ends_at, time_zone, grants, limitation, status, link_id)
      select user_id, ${requestId}, ${startsAt}, ${endsAt}, ${request.time_zone}, ${JSON.stringify(grants)}::jsonb,
             ${JSON.stringify(limitation)}::jsonb, ${status}, link_id
        from unnest(${batch}::int[], ${batch.map(() => generateLinkId())}::text[]) as t(user_id, link_id)
      on conflict (request_id, user_id) do nothing
      returning id`.execute(deps.db);
    created += rows.length;
  }
  const total = await deps.db
    .selectFrom('accesses')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('request_id', '=', requestId)
    .executeTakeFirstOrThrow();
  return { created, total: Number(total.count) };
}
