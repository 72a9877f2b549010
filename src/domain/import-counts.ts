// The dry-run counts in words (number and word on one line each), shared by the Slack
// preview and `domum validate` so both say the same thing.
import type { ImportCounts } from './import-lines.ts';

export function describeDryRunCounts(counts: ImportCounts): string[] {
  return [
    `${counts.lines} ${counts.lines === 1 ? 'line' : 'lines'}`,
    `${counts.created + counts.created_inactive} will be created (${counts.created} active)`,
    `${counts.existing} existing (already registered, not updated)`,
    `${counts.created_inactive} inactive`,
    `${counts.error} ${counts.error === 1 ? 'error' : 'errors'}`,
  ];
}

/** The final counts of the summary ("Created: 8"). */
export function describeFinalCounts(counts: ImportCounts): string[] {
  return [
    `Lines: ${counts.lines}`,
    `Created: ${counts.created}`,
    `Created inactive: ${counts.created_inactive}`,
    `Existing: ${counts.existing}`,
    `Errors: ${counts.error}`,
  ];
}
