// Slack acknowledgement latency while the app works: a signed `/domum help` slash command every interval,
// open loop (the next one is sent on time even when the previous one has not been answered, so a stalled app
// shows up as long acks rather than as fewer samples).
import type { SlackDriver } from '../test/support/slack-driver.ts';

export interface AckSummary {
  count: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface AckSample {
  /** When the command was sent (epoch ms). */
  sentAt: number;
  durationMs: number;
}

export interface AckProbe {
  stop(): Promise<AckSummary & { samples: AckSample[] }>;
}

export function summarizeAcks(samples: readonly AckSample[], failures = 0): AckSummary {
  const sorted = samples.map((sample) => sample.durationMs).sort((a, b) => a - b);
  return {
    count: sorted.length,
    failures,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest rank: the smallest sample with at least `fraction` of the samples at or below it.
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? Number.NaN;
}

export function startAckProbe(slack: SlackDriver, options: { intervalMs: number; userId: string }): AckProbe {
  const samples: AckSample[] = [];
  let failures = 0;
  const inFlight = new Set<Promise<void>>();
  const fire = () => {
    const sentAt = Date.now();
    const sent = slack
      .command({ text: 'help', userId: options.userId })
      .then((response) => {
        if (response.status === 200) samples.push({ sentAt, durationMs: response.durationMs });
        else failures += 1;
      })
      .catch(() => {
        failures += 1;
      })
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  };
  const timer = setInterval(fire, options.intervalMs);
  fire();
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return { ...summarizeAcks(samples, failures), samples };
    },
  };
}
