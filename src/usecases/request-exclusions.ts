// What "Approve except…" shows (README "Importing users", Approval): the users an approver can leave out of a
// request, searchable by name, email or vendor, as the options of the modal's select; and, once excluded, who
// excluded each and why, for the summary, the results spreadsheet and `/domum status`. The exclusions
// themselves are written by decideRequest (decide-request.ts), in the decision's transaction.
import {
  findRequestImport,
  listExcludedLines,
  listExclusionsByLine,
  searchLinesToBeGivenAccess,
} from '../db/repos/exclusion-repo.ts';
import type { ExcludedLine, RequestLine } from '../db/repos/exclusion-repo.ts';
import { wordPatterns } from '../db/repos/catalog-search-repo.ts';
import type { Executor } from '../db/schema.ts';
import { groupsApprovedBy, involvedGroups, lineColumns } from './decide-request.ts';
import type { DecisionDeps } from './decide-request.ts';
import { cut, MAX_OPTIONS } from './search-catalog.ts';
import type { CatalogOption, CatalogOptions } from './search-catalog.ts';

export type { ExcludedLine };

const OPTION_VALUE = /^line:([1-9][0-9]{0,8})$/;
const SEPARATOR = ' · ';

/** The option value of a user of the request: the line that brings them in. */
export function excludedLineValue(lineNumber: number): string {
  return `line:${lineNumber}`;
}

/** A line number as an option's value carries it back; anything else (a crafted payload) is undefined. */
export function parseExcludedLineValue(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = OPTION_VALUE.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** "Bob Smith · bob@acme.example · Acme Corp", line 14: everything one searches by is in the option's text. */
export function excludableUserOption(line: RequestLine): CatalogOption {
  const text = [line.name, line.email, line.vendorName].filter((part) => part !== '').join(SEPARATOR);
  return { value: excludedLineValue(line.lineNumber), text: cut(text), description: `line ${line.lineNumber}` };
}

/**
 * The users the request is to give access to whose name, email or vendor hold every typed word, in line order,
 * at most 100 (Slack shows no more), and whether more matched.
 */
export async function searchExcludableUsers(
  db: Executor,
  input: { requestId: number; text: string },
): Promise<CatalogOptions> {
  const found = await findRequestImport(db, input.requestId);
  if (!found) return { options: [], truncated: false };
  const lines = await searchLinesToBeGivenAccess(db, {
    importId: found.importId,
    columns: lineColumns(found.headers),
    patterns: wordPatterns(input.text),
    limit: MAX_OPTIONS + 1,
  });
  return { options: lines.slice(0, MAX_OPTIONS).map(excludableUserOption), truncated: lines.length > MAX_OPTIONS };
}

/**
 * Whether this user may search the users of a request: an approver of one of its access groups, not its
 * requester, while it awaits approval. The select asks at every keystroke, so user groups are read through the
 * cache (`usergroupMembers`: the cached reader) — the exclusion itself is checked again, against Slack, by
 * decideRequest.
 */
export async function mayListExcludableUsers(
  deps: Pick<DecisionDeps, 'db' | 'usergroupMembers'>,
  requestId: number,
  userId: string,
): Promise<boolean> {
  const found = await involvedGroups(deps.db, requestId);
  if (found?.status !== 'awaiting_approval' || found.requesterUserId === userId) return false;
  return (await groupsApprovedBy(deps.usergroupMembers, found.groups, userId)).length > 0;
}

/** The request's excluded users, the first `limit` with who excluded each and why, and how many in all. */
export async function excludedLinesOf(
  db: Executor,
  requestId: number,
  limit: number,
): Promise<{ lines: ExcludedLine[]; total: number }> {
  const found = await findRequestImport(db, requestId);
  if (!found) return { lines: [], total: 0 };
  return listExcludedLines(db, { requestId, importId: found.importId, columns: lineColumns(found.headers), limit });
}

/**
 * For the results spreadsheet's Errors column of each excluded line: "excluded by U0APPR001: left the company"
 * (the approver's Slack id, which a spreadsheet can be searched by), every approver who excluded it.
 */
export async function exclusionNotes(db: Executor, requestId: number): Promise<Map<number, string>> {
  const notes = new Map<number, string>();
  for (const [lineNumber, exclusions] of await listExclusionsByLine(db, requestId)) {
    notes.set(
      lineNumber,
      exclusions.map((exclusion) => `excluded by ${exclusion.excludedBy}: ${exclusion.reason}`).join('; '),
    );
  }
  return notes;
}
