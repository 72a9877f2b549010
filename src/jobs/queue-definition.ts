// A queue is declared once: its name, the zod schema of its payload and its retry policy. Producers and the
// worker both go through the definition, so a payload that does not match never reaches the database.
import type { Queue } from 'pg-boss';
import type { z } from 'zod';

export type QueuePolicy = Omit<Queue, 'name'>;

export interface QueueDefinition<Payload> {
  readonly name: string;
  readonly payload: z.ZodType<Payload>;
  readonly policy: QueuePolicy;
  /** How many jobs of this queue one worker process runs at the same time. */
  readonly concurrency: number;
}

export function defineQueue<Payload>(definition: {
  name: string;
  payload: z.ZodType<Payload>;
  policy?: QueuePolicy;
  concurrency?: number;
}): QueueDefinition<Payload> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/.test(definition.name)) {
    throw new Error(`queue name "${definition.name}" must be lower-case words joined by dots or hyphens`);
  }
  return {
    name: definition.name,
    payload: definition.payload,
    // Bounded retries with backoff: a job that keeps failing ends up failed and visible, not retried forever.
    // notify: a new job wakes a worker at once (LISTEN/NOTIFY) instead of at its next poll; polling stays
    // as the fallback. Users are waiting on these jobs in Slack.
    policy: {
      retryLimit: 5,
      retryDelay: 5,
      retryBackoff: true,
      retryDelayMax: 300,
      expireInSeconds: 900,
      notify: true,
      ...definition.policy,
    },
    concurrency: definition.concurrency ?? 2,
  };
}
