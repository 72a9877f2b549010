import type { Executor, RoleName } from '../schema.ts';

export async function findAssignedRoles(db: Executor, slackUserId: string): Promise<RoleName[]> {
  const rows = await db
    .selectFrom('role_assignments')
    .select('role')
    .where('slack_user_id', '=', slackUserId)
    .execute();
  return rows.map((row) => row.role);
}
