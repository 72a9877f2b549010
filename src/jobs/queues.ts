// The queue table: every queue the app uses, with its payload schema and retry policy, declared once.
// Producers enqueue through these definitions; src/jobs/workers.ts maps each one to its handler.
import type { QueueDefinition } from './queue-definition.ts';

export const queues: readonly QueueDefinition<unknown>[] = [];
