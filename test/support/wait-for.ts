export type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

export type WaitForOptions = {
  timeoutMs?: number;
  description?: string;
  /** Pause between attempts; capped at 20 ms because this polls a condition, it is not a sleep. */
  intervalMs?: number;
};

const MAX_INTERVAL_MS = 20;

/**
 * Re-runs `check` until it returns a truthy value (resolved with that value) or
 * the timeout passes. A throwing/rejecting check counts as "not yet".
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const description = options.description ?? 'condition';
  const intervalMs = Math.max(0, Math.min(options.intervalMs ?? 10, MAX_INTERVAL_MS));
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  let attempts = 0;

  for (;;) {
    attempts += 1;
    const remaining = deadline - Date.now();
    try {
      // A check that never settles must not outlive the timeout.
      const value = await settleWithin(check, Math.max(remaining, 1));
      if (value) return value as Truthy<T>;
      lastValue = value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await pauseBriefly(intervalMs);
  }

  const detail =
    lastError === undefined
      ? `last value: ${formatValue(lastValue)}`
      : `last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`;
  const error = new Error(
    `waitFor timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${description}; ${detail}`,
  );
  if (lastError !== undefined) error.cause = lastError;
  throw error;
}

const TIMED_OUT = Symbol('timed out');

async function settleWithin<T>(check: () => T | Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(check), timeout]);
    if (result === TIMED_OUT) throw new Error(`check did not settle within ${ms} ms`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

function pauseBriefly(ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (ms === 0) setImmediate(resolve);
    else setTimeout(resolve, ms);
  });
}

function formatValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
