// "Send me a new token" presses per link id (new_token_presses, 0007): counted for any link id, known or not, so
// the landing page's answer never depends on whether the link exists. Functions take the executor first.
import { sql } from 'kysely';
import type { Executor } from '../schema.ts';

/**
 * Serialises presses of one link id until the transaction ends (a transaction-level advisory lock on a hash of
 * the id): concurrent presses count one after the other, so a flood cannot slip several past the limit.
 */
export async function lockPressesOf(db: Executor, linkId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`domum new-token ${linkId}`}, 0))`.execute(db);
}

/** Presses older than `before` count for nothing any more: they are deleted, whatever their link id. */
export async function forgetPressesBefore(db: Executor, before: Date): Promise<void> {
  await db.deleteFrom('new_token_presses').where('pressed_at', '<', before).execute();
}

/** A link id's presses since `since`, oldest first. */
export async function listPressesSince(db: Executor, linkId: string, since: Date): Promise<Date[]> {
  const rows = await db
    .selectFrom('new_token_presses')
    .select('pressed_at')
    .where('link_id', '=', linkId)
    .where('pressed_at', '>', since)
    .orderBy('pressed_at')
    .execute();
  return rows.map((row) => row.pressed_at);
}

export async function insertPress(db: Executor, linkId: string, at: Date): Promise<void> {
  await db.insertInto('new_token_presses').values({ link_id: linkId, pressed_at: at }).execute();
}
