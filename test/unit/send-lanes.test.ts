// The send path's permits (src/usecases/email-lanes.ts): never more work at once than permits, first come first
// served, and a permit given back even when its work fails, since a lost one would slowly stop every email of the
// process; given back twice, it still counts once.
import { describe, expect, it } from 'vitest';
import { createPermits } from '../../src/usecases/email-lanes.ts';
import type { Permits } from '../../src/usecases/email-lanes.ts';

async function withPermit<T>(permits: Permits, work: () => Promise<T>): Promise<T> {
  const giveBack = await permits.acquire();
  try {
    return await work();
  } finally {
    giveBack();
  }
}

/** Lets every promise continuation that can run now run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe('send permits', () => {
  it('run at most `count` works at once, the waiting ones in the order they asked', async () => {
    const lanes = createPermits(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const all = gates.map((gate, index) =>
      withPermit(lanes, async () => {
        started.push(index);
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        try {
          await gate.promise;
        } finally {
          running -= 1;
        }
        return index;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    gates[1]?.resolve();
    await all[1];
    gates[0]?.reject(new Error('refused'));
    await expect(all[0]).rejects.toThrow('refused');
    for (const gate of gates.slice(2)) gate.resolve();
    expect(await Promise.all(all.slice(1))).toEqual([1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(mostAtOnce).toBe(2);
    // Every lane came back: two works start at once again.
    const again = [deferred(), deferred()];
    let startedAgain = 0;
    const both = again.map((gate) =>
      withPermit(lanes, async () => {
        startedAgain += 1;
        await gate.promise;
      }),
    );
    await settle();
    expect(startedAgain).toBe(2);
    for (const gate of again) gate.resolve();
    await Promise.all(both);
  });

  it('counts a permit given back twice once', async () => {
    const permits = createPermits(1);
    const giveBack = await permits.acquire();
    giveBack();
    giveBack();
    await permits.acquire();
    let second = false;
    void permits.acquire().then(() => (second = true));
    await settle();
    expect(second).toBe(false);
  });

  it('refuses a count that is not a positive whole number', () => {
    expect(() => createPermits(0)).toThrow(RangeError);
    expect(() => createPermits(1.5)).toThrow(RangeError);
  });
});
