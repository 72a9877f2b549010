// The send lanes (src/usecases/email-lanes.ts): never more work at once than lanes, first come first served, and
// a lane given back even when its work fails, since a lost lane would slowly stop every email of the process.
import { describe, expect, it } from 'vitest';
import { createSendLanes } from '../../src/usecases/email-lanes.ts';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe('send lanes', () => {
  it('run at most `count` works at once, the waiting ones in the order they asked', async () => {
    const lanes = createSendLanes(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const all = gates.map((gate, index) =>
      lanes.withLane(async () => {
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
    await Promise.resolve();
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
      lanes.withLane(async () => {
        startedAgain += 1;
        await gate.promise;
      }),
    );
    await Promise.resolve();
    expect(startedAgain).toBe(2);
    for (const gate of again) gate.resolve();
    await Promise.all(both);
  });

  it('refuses a count that is not a positive whole number', () => {
    expect(() => createSendLanes(0)).toThrow(RangeError);
    expect(() => createSendLanes(1.5)).toThrow(RangeError);
  });
});
