import type { Executor } from '../schema.ts';

export interface AuditEvent {
  actor: string;
  action: string;
  target: string | null;
  details?: Record<string, unknown>;
}

export async function recordAuditEvent(db: Executor, event: AuditEvent): Promise<void> {
  await recordAuditEvents(db, [event]);
}

/** Several events in one statement (none: nothing is written). */
export async function recordAuditEvents(db: Executor, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('audit_events')
    .values(
      events.map((event) => ({
        actor: event.actor,
        action: event.action,
        target: event.target,
        details: JSON.stringify(event.details ?? {}),
      })),
    )
    .execute();
}
