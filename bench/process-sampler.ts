// CPU time and resident memory of a process over the run, read from /proc/<pid>/stat and statm every 100 ms,
// so each phase's CPU time can be told apart from its wall time (on a shared 2-core machine, wall time alone
// mixes in other processes' load) and each phase's memory high point is known.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export interface ProcessSampler {
  /** CPU milliseconds (user + system, all threads) the process spent between two wall-clock instants. */
  cpuMsBetween(startWallMs: number, endWallMs: number): number;
  /** Highest resident set size sampled between two wall-clock instants. */
  maxRssBytesBetween(startWallMs: number, endWallMs: number): number;
  stop(): void;
}

function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    return ((userTicks + systemTicks) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

const PAGE_BYTES = 4096;

function readRssBytes(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return undefined;
  }
}

export function startProcessSampler(pid: number, intervalMs = 100): ProcessSampler {
  const samples: Array<{ wallMs: number; cpuMs: number; rssBytes: number }> = [];
  const sample = () => {
    const cpuMs = readCpuMs(pid);
    const rssBytes = readRssBytes(pid);
    if (cpuMs !== undefined && rssBytes !== undefined) samples.push({ wallMs: Date.now(), cpuMs, rssBytes });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  const cpuAt = (wallMs: number): number => {
    // Linear between the two samples around the instant; clamped to the first and last samples.
    let before = samples[0];
    for (const entry of samples) {
      if (entry.wallMs > wallMs) {
        if (!before || before.wallMs === entry.wallMs) return entry.cpuMs;
        return (
          before.cpuMs + ((entry.cpuMs - before.cpuMs) * (wallMs - before.wallMs)) / (entry.wallMs - before.wallMs)
        );
      }
      before = entry;
    }
    return before?.cpuMs ?? 0;
  };
  return {
    cpuMsBetween: (startWallMs, endWallMs) => Math.max(0, cpuAt(endWallMs) - cpuAt(startWallMs)),
    maxRssBytesBetween: (startWallMs, endWallMs) =>
      Math.max(
        0,
        ...samples
          .filter((entry) => entry.wallMs >= startWallMs && entry.wallMs <= endWallMs)
          .map((entry) => entry.rssBytes),
      ),
    stop: () => clearInterval(timer),
  };
}

/** Several processes read as one: their CPU time summed, the highest of their resident sizes. */
export function startProcessGroupSampler(pids: readonly number[], intervalMs = 100): ProcessSampler {
  const samplers = pids.map((pid) => startProcessSampler(pid, intervalMs));
  return {
    cpuMsBetween: (startWallMs, endWallMs) =>
      samplers.reduce((sum, sampler) => sum + sampler.cpuMsBetween(startWallMs, endWallMs), 0),
    maxRssBytesBetween: (startWallMs, endWallMs) =>
      Math.max(...samplers.map((sampler) => sampler.maxRssBytesBetween(startWallMs, endWallMs))),
    stop: () => {
      for (const sampler of samplers) sampler.stop();
    },
  };
}
