// How the approvers' decisions on a batch access request add up (README "Importing users", Approval): each of
// the request's access groups approves at `approvalsRequired` approvals, `rejectionsToCancel` rejections in
// any group reject the request, and it is approved once every group approved. One function, used by deciding,
// the card, `/domum status` and the App Home, so they can never disagree.

export interface ApprovalGroup {
  id: number;
  name: string;
  approvalsRequired: number;
  rejectionsToCancel: number;
}

export interface ApprovalResponse {
  groupId: number;
  decision: 'approve' | 'reject';
}

export interface GroupTally {
  id: number;
  name: string;
  required: number;
  approvals: number;
  rejections: number;
}

export type ApprovalOutcome = 'approved' | 'rejected' | 'pending';

export interface ApprovalTally {
  outcome: ApprovalOutcome;
  groups: GroupTally[];
}

export function tallyDecision(groups: readonly ApprovalGroup[], responses: readonly ApprovalResponse[]): ApprovalTally {
  const tallies = groups.map((group) => {
    const mine = responses.filter((response) => response.groupId === group.id);
    return {
      group,
      tally: {
        id: group.id,
        name: group.name,
        required: group.approvalsRequired,
        approvals: mine.filter((response) => response.decision === 'approve').length,
        rejections: mine.filter((response) => response.decision === 'reject').length,
      },
    };
  });
  const rejected = tallies.some(({ group, tally }) => tally.rejections >= group.rejectionsToCancel);
  // A request with no group (no new active user's vendor) can never be approved: nobody may decide it.
  const approved =
    !rejected && tallies.length > 0 && tallies.every(({ group, tally }) => tally.approvals >= group.approvalsRequired);
  return {
    outcome: rejected ? 'rejected' : approved ? 'approved' : 'pending',
    groups: tallies.map(({ tally }) => tally),
  };
}

/** Whether a group still waits for approvals (the reminder mentions its approvers who have not decided). */
export function groupStillNeedsApprovals(tally: GroupTally): boolean {
  return tally.approvals < tally.required;
}

/** Why an "Approve except…" cannot leave these users out, when it cannot. */
export type ExclusionProblem = 'none-chosen' | 'unknown-users' | 'everyone-excluded';

/**
 * Whether an approver may exclude the chosen users (import line numbers) from a request: at least one, each a
 * user the request is to give access to, and someone must be left — excluding everyone is a rejection. The
 * request's excluded set is the union of every approver's, so what others excluded counts too.
 */
export function exclusionProblem(input: {
  chosen: readonly number[];
  /** Those of the chosen lines that bring in a user the request is to give access to. */
  found: readonly number[];
  /** Lines other approvers (or this one) excluded before, still to be given access. */
  alreadyExcluded: readonly number[];
  /** How many users the request is to give access to, before any exclusion. */
  usersToAccess: number;
}): ExclusionProblem | undefined {
  const chosen = new Set(input.chosen);
  if (chosen.size === 0) return 'none-chosen';
  const found = new Set(input.found);
  if ([...chosen].some((line) => !found.has(line))) return 'unknown-users';
  const excluded = new Set([...input.alreadyExcluded, ...chosen]);
  return excluded.size >= input.usersToAccess ? 'everyone-excluded' : undefined;
}
