import type { Executor } from '../schema.ts';

export async function recordAuditEvent(
  db: Executor,
  event: { actor: string; action: string; target: string | null; details?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      actor: event.actor,
      action: event.action,
      target: event.target,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}
