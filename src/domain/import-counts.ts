// The dry-run counts in words (number and word on one line each), shared by the Slack
// preview and `domum validate` so both say the same thing. Every count is of spreadsheet lines, and they add up:
// will be created (active + inactive) + existing + errors = lines.
import type { ImportCounts } from './import-lines.ts';

function lines(count: number): string {
  return `${count} ${count === 1 ? 'line' : 'lines'}`;
}

export function describeDryRunCounts(counts: ImportCounts): string[] {
  return [
    lines(counts.lines),
    `${counts.created + counts.created_inactive} will be created (${counts.created} active, ${counts.created_inactive} inactive)`,
    `${counts.existing} existing (already registered, not updated)`,
    `${counts.error} ${counts.error === 1 ? 'error' : 'errors'}`,
  ];
}

/**
 * The final counts of the summary ("Created: 8"), of lines: Created + Created inactive + Existing + Errors =
 * Lines.
 */
export function describeFinalCounts(counts: ImportCounts): string[] {
  return [
    `Lines: ${counts.lines}`,
    `Created: ${counts.created}`,
    `Created inactive: ${counts.created_inactive}`,
    `Existing: ${counts.existing}`,
    `Errors: ${counts.error}`,
  ];
}
