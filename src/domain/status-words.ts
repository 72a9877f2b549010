// The status words people see. Other programs and people rely on them: no synonyms.
import type { AccessStatus, ImportStatus, RequestStatus } from '../db/schema.ts';

export const IMPORT_STATUS_WORDS: Record<ImportStatus, string> = {
  validating: 'Validating',
  ready: 'Ready',
  importing: 'Importing',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const REQUEST_STATUS_WORDS: Record<RequestStatus, string> = {
  awaiting_approval: 'Awaiting approval',
  approved: 'Approved',
  processing: 'Processing',
  completed: 'Completed',
  completed_with_errors: 'Completed with errors',
  rejected: 'Rejected',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

export const ACCESS_STATUS_WORDS: Record<AccessStatus, string> = {
  scheduled: 'Scheduled',
  active: 'Active',
  finished: 'Finished',
  cancelled: 'Cancelled',
  error: 'Error',
};
