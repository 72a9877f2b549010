// A queue's pg-boss policy is declared with it (src/jobs/queues.ts) and pg-boss keeps it for the queue's life:
// prepareJobQueues creates a queue with its policy, updates the rest of its settings on the next start, and
// refuses a declaration whose policy differs from the existing queue's. Under `exclusive` (access.new-token),
// one job per singletonKey waits or runs; another key gets its own.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createJobQueue, prepareJobQueues } from '../../src/jobs/job-queue.ts';
import { defineQueue } from '../../src/jobs/queue-definition.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase } from '../support/test-database.ts';

const quiet = createLogger({ level: 'error', write: () => undefined });
const payload = z.object({ key: z.string() });

describe('queue policies', () => {
  it('are set when a queue is created, kept on the next start, and a different one is refused', async () => {
    const database = await (await createTestDatabase()).open();
    const exclusive = defineQueue({ name: 'test.exclusive', payload, policy: { policy: 'exclusive', retryLimit: 1 } });
    await prepareJobQueues(database, { migrate: false, queues: [exclusive] });
    // The next start: settings change, the policy stays.
    const retried = defineQueue({ name: 'test.exclusive', payload, policy: { policy: 'exclusive', retryLimit: 3 } });
    await prepareJobQueues(database, { migrate: false, queues: [retried] });
    const standard = defineQueue({ name: 'test.exclusive', payload, policy: { retryLimit: 3 } });
    await expect(prepareJobQueues(database, { migrate: false, queues: [standard] })).rejects.toThrow(
      'queue test.exclusive has policy exclusive, declared standard: rename the queue',
    );

    const jobs = createJobQueue(database, quiet, { runsWorkers: false });
    await jobs.start();
    try {
      expect(await jobs.boss.getQueue(exclusive.name)).toMatchObject({ policy: 'exclusive', retryLimit: 3 });
      const send = (key: string) =>
        database.db.transaction().execute((trx) => jobs.enqueue(trx, retried, { key }, { singletonKey: key }));
      const first = await send('link-a');
      expect(first).toEqual(expect.any(String));
      expect(await send('link-a')).toBeNull();
      expect(await send('link-b')).toEqual(expect.any(String));
      expect((await jobs.boss.findJobs(exclusive.name)).map((job) => job.data)).toEqual(
        expect.arrayContaining([{ key: 'link-a' }, { key: 'link-b' }]),
      );
      expect(await jobs.boss.findJobs(exclusive.name)).toHaveLength(2);
    } finally {
      await jobs.stop(1_000);
    }
  });
});
