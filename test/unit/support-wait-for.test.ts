import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.ts';

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let attempts = 0;
    const value = await waitFor(() => {
      attempts += 1;
      return attempts >= 3 ? { attempts } : undefined;
    });
    expect(value).toEqual({ attempts: 3 });
  });

  it('treats throwing and rejecting checks as "not yet"', async () => {
    let attempts = 0;
    const value = await waitFor(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('not ready');
      if (attempts === 2) return Promise.reject(new Error('still not ready'));
      return 'ready';
    });
    expect(value).toBe('ready');
  });

  it('resolves once another task flips the condition', async () => {
    let flag = false;
    setImmediate(() => {
      flag = true;
    });
    await expect(waitFor(() => flag, { description: 'flag' })).resolves.toBe(true);
  });

  it('names the description and the last error on timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('row missing');
        },
        { timeoutMs: 40, description: 'the chore row' },
      ),
    ).rejects.toThrow(/timed out after 40 ms .*waiting for the chore row; last error: row missing/);
  });

  it('reports the last falsy value on timeout', async () => {
    await expect(waitFor(() => 0, { timeoutMs: 30, description: 'a count' })).rejects.toThrow(/a count; last value: 0/);
  });

  it('does not hang on a check that never settles', async () => {
    const started = Date.now();
    await expect(
      waitFor(() => new Promise<boolean>(() => undefined), { timeoutMs: 50, description: 'a stuck check' }),
    ).rejects.toThrow(/did not settle/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('polls often but not in a busy loop', async () => {
    let attempts = 0;
    await expect(
      waitFor(
        () => {
          attempts += 1;
          return false;
        },
        { timeoutMs: 100, intervalMs: 1000 },
      ),
    ).rejects.toThrow();
    // intervalMs is capped at 20 ms: roughly 5 attempts in 100 ms, certainly not one and not thousands.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThan(200);
  });
});
