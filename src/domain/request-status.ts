// Which status of a batch access request may follow which (README "Importing users": approval, provisioning,
// cancelling), declared once. db/repos/request-repo.ts's transitionRequest is the only writer of a request's
// status, and it refuses any move this table does not list.
import type { RequestStatus } from '../db/schema.ts';

export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  awaiting_approval: ['approved', 'rejected', 'expired', 'cancelled'],
  approved: ['processing', 'cancelled'],
  processing: ['completed', 'completed_with_errors', 'cancelled'],
  // Cancelling a provisioned request stops its accesses; "Retry failed lines" provisions the refused ones again.
  completed: ['cancelled'],
  completed_with_errors: ['processing', 'cancelled'],
  rejected: [],
  expired: [],
  cancelled: [],
};

export function mayMoveRequest(from: RequestStatus, to: RequestStatus): boolean {
  return REQUEST_TRANSITIONS[from].includes(to);
}

/** Whether leaving `from` decides the request (the decision's instant is recorded once, on that move). */
export function isDecision(from: RequestStatus): boolean {
  return from === 'awaiting_approval';
}
