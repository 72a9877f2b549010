// Slack identifiers of the access request wizard (SPEC §4), shared by the view builders that emit them, the
// parsers that read view.state.values and the listeners that route submissions and clicks. Every input has a
// block id of its own so a handler can answer `response_action: errors` keyed by it; the block ids stay the
// same across views.update so Slack keeps what the user already typed.
import type { WizardStep } from '../../domain/request-draft.ts';

export const WIZARD_CALLBACKS: Record<WizardStep, string> = {
  general: 'wizard_general',
  devices: 'wizard_devices',
  credentials: 'wizard_credentials',
  limitation: 'wizard_limitation',
  review: 'wizard_review',
};

/** The step a view submission belongs to, or undefined for a callback id that is not the wizard's. */
export function stepOfCallback(callbackId: string): WizardStep | undefined {
  for (const [step, id] of Object.entries(WIZARD_CALLBACKS)) {
    if (id === callbackId) return step as WizardStep;
  }
  return undefined;
}

// Buttons (actions blocks). Edit carries the step to go back to as its value.
export const WIZARD_BACK_ACTION = 'wizard_back';
export const WIZARD_EDIT_ACTION = 'wizard_edit';
/** On the import modal: resume a request draft whose modal was closed (value: the draft id). */
export const WIZARD_RESUME_ACTION = 'wizard_resume';

// The two searchable selects: their action ids route the options (external data source) requests, and the
// Credentials one also dispatches block_actions so a change re-renders the permission checkboxes.
export const WIZARD_DEVICES_SELECT_ACTION = 'wizard_devices_select';
export const WIZARD_CREDENTIALS_SELECT_ACTION = 'wizard_credentials_select';

/** The action id of every other input: each block holds one element, so the block id alone names the field. */
export const WIZARD_VALUE_ACTION = 'value';

// Block ids, one per input (SPEC §4 field table).
export const JUSTIFICATION_BLOCK = 'justification';
export const REASON_BLOCK = 'reason';
export const GOVERNANCE_CODE_BLOCK = 'governance_code';
export const DEVICES_BLOCK = 'devices';
export const CREDENTIALS_BLOCK = 'credentials';
export const GRANT_BLOCK_PREFIX = 'grant_';
export const START_BLOCK = 'start';
export const DURATION_BLOCK = 'duration';
export const UNIT_BLOCK = 'unit';
export const DAYS_BLOCK = 'days';
export const TIMES_BLOCK = 'times';
export const CUSTOM_START_BLOCK = 'custom_start';
export const CUSTOM_END_BLOCK = 'custom_end';
export const SESSIONS_BLOCK = 'sessions';
export const MAXIMUM_SESSIONS_BLOCK = 'maximum_sessions';

/** The block of one credential's permission checkboxes. */
export function grantBlockId(credentialId: number): string {
  return `${GRANT_BLOCK_PREFIX}${credentialId}`;
}

// Option values of the choice elements, read back by wizard-parse.ts.
export const START_SESSION_VALUE = 'start_session';
export const VIEW_PASSWORD_VALUE = 'view_password';
export const EVERY_DAY_VALUE = 'every_day';
export const ALL_HOURS_VALUE = 'all_hours';
export const CUSTOM_TIME_VALUE = 'custom';
export const UNLIMITED_SESSIONS_VALUE = 'unlimited';
export const LIMITED_SESSIONS_VALUE = 'limited';

/** What every wizard view carries in private_metadata: the draft lives in PostgreSQL, the view only names it. */
export interface WizardMetadata {
  draftId: string;
}
