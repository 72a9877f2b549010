// `--cpu-prof`: the app's CPU profiles (main thread and spreadsheet workers) cut into the run's phases, so each
// phase shows where its own CPU time went. The app process logs its monotonic clock next to the wall clock
// once (bench/app-process.ts); V8 stamps profile samples with the same monotonic clock.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface PhaseWindow {
  name: string;
  startWallMs: number;
  endWallMs: number;
}

export interface PhaseProfile {
  phase: string;
  /** CPU time sampled in the window, all threads, idle excluded. */
  busyMs: number;
  top: Array<{ frame: string; ms: number }>;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench|test)\//, '$1/');
  return `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`;
}

export async function profilePhases(
  directory: string,
  clock: { monotonicMicros: number; wallMs: number },
  windows: PhaseWindow[],
  topCount = 12,
): Promise<PhaseProfile[]> {
  const files = (await readdir(directory)).filter((file) => file.endsWith('.cpuprofile'));
  const perPhase = windows.map(() => new Map<string, number>());
  const toWallMs = (micros: number) => clock.wallMs + (micros - clock.monotonicMicros) / 1000;
  for (const file of files) {
    const profile = JSON.parse(await readFile(path.join(directory, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    let micros = profile.startTime;
    for (let index = 0; index < profile.samples.length; index += 1) {
      const delta = profile.timeDeltas[index] ?? 0;
      micros += delta;
      const node = nodes.get(profile.samples[index] ?? -1);
      if (!node || node.callFrame.functionName === '(idle)') continue;
      const wall = toWallMs(micros);
      const phase = windows.findIndex((window) => wall >= window.startWallMs && wall < window.endWallMs);
      if (phase < 0) continue;
      const frame = frameName(node);
      const totals = perPhase[phase];
      totals?.set(frame, (totals.get(frame) ?? 0) + delta / 1000);
    }
  }
  return windows.map((window, index) => {
    const totals = perPhase[index] ?? new Map<string, number>();
    const busyMs = [...totals.values()].reduce((sum, ms) => sum + ms, 0);
    const top = [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topCount)
      .map(([frame, ms]) => ({ frame, ms: Math.round(ms) }));
    return { phase: window.name, busyMs: Math.round(busyMs), top };
  });
}
