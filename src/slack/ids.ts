// Every Slack identifier the app uses — the command, action ids, callback ids, block ids and the option values
// a listener reads back — shared by the block builders that emit them and the listeners that receive them.
// slack-manifest.yml is kept in step with the listeners by test/unit/manifest.test.ts. A block id need only be
// unique within one view, so two views may use the same one (REASON_BLOCK).
import type { WizardStep } from '../domain/request-draft.ts';

export const SLASH_COMMAND = '/domum';
/** Where Slack sends every request in HTTP mode (the manifests' request URLs end with it). */
export const SLACK_EVENTS_PATH = '/slack/events';

/** The action id of a text input alone in its block: the block id names the field. */
const VALUE_ACTION = 'value';

// ---------------------------------------------------------------------------------------------------------
// Importing (README, "Importing users"): the file modal, the checking/preview modal, and the preview's
// Continue / Cancel buttons under an uploaded file.

export const IMPORT_MODAL_CALLBACK = 'import_modal';
export const PREVIEW_MODAL_CALLBACK = 'import_preview_modal';
export const PROGRESS_MODAL_CALLBACK = 'import_progress_modal';
export const IMPORT_FILE_BLOCK = 'import_file';
export const IMPORT_FILE_ACTION = 'spreadsheet';
export const CONTINUE_IMPORT_ACTION = 'import_continue';
export const CANCEL_IMPORT_ACTION = 'import_cancel';
/** "Automatically provide access after import" (radio buttons; their values are below). */
export const AUTO_ACCESS_BLOCK = 'auto_access';
export const AUTO_ACCESS_ACTION = 'choice';
export const AUTO_ACCESS_YES_VALUE = 'yes';
export const AUTO_ACCESS_NO_VALUE = 'no';
/** The Channel of the request card, asked when /domum import runs where the bot cannot post. */
export const CARD_CHANNEL_BLOCK = 'card_channel';
export const CARD_CHANNEL_ACTION = 'channel';

// ---------------------------------------------------------------------------------------------------------
// `/domum status` and the App Home (README, "Where things stand"): the list's More button, the detail modal
// (no submit), and an admin's Resend access link under an access's detail.

export const STATUS_MORE_ACTION = 'status_more';
export const STATUS_DETAIL_CALLBACK = 'status_detail';
/** Its value is the access id (`EXT-26-000487`). */
export const ACCESS_RESEND_ACTION = 'access_resend_link';

// ---------------------------------------------------------------------------------------------------------
// Approval (README, "Approval"): the card's Approve/Reject buttons and menu, the two decision modals and
// their one text input, and Retry failed lines on a provisioning summary.

/** Approve button on the request card; its value is the request id as a string. */
export const APPROVE_ACTION = 'request_approve';
/** Reject button on the request card; its value is the request id as a string. */
export const REJECT_ACTION = 'request_reject';
export const APPROVE_MODAL_CALLBACK = 'request_approve_modal';
export const REJECT_MODAL_CALLBACK = 'request_reject_modal';
/** Optional Comment input of the Approve modal. */
export const COMMENT_BLOCK = 'comment';
/**
 * The Reason field: the Reject and "Approve except…" modals' required text input, and the wizard's General-step
 * select.
 */
export const REASON_BLOCK = 'reason';
/** Action id of the text input inside COMMENT_BLOCK / REASON_BLOCK of the decision modals. */
export const DECISION_TEXT_ACTION = VALUE_ACTION;
/** "Approve except…" on the request card; its value is the request id as a string. */
export const APPROVE_EXCEPT_ACTION = 'request_approve_except';
/** The "Approve except…" modal: the users to leave out and the required Reason (REASON_BLOCK). */
export const APPROVE_EXCEPT_MODAL_CALLBACK = 'request_approve_except_modal';
/** The modal's users select (static for a few users, external for many): its block… */
export const EXCLUDED_USERS_BLOCK = 'excluded_users';
/** …and its action id, which also routes the external select's options requests. Option values: `line:<n>`. */
export const EXCLUDED_USERS_SELECT_ACTION = 'request_excluded_users_select';
/** Block id of the actions block that holds the decision buttons on the card. */
export const DECISION_ACTIONS_BLOCK = 'request_decision';
/** The card's overflow menu (Cancel request). */
export const CARD_MENU_ACTION = 'request_menu';
/** "Retry failed lines" on a provisioning summary (value: the request id). */
export const RETRY_FAILED_ACTION = 'request_retry';

/** The same buttons in the App Home, once per awaiting request: block ids are unique within a view. */
export function homeDecisionBlockId(requestId: number): string {
  return `home_decision_${requestId}`;
}

/** The value of the card menu's Cancel request option. */
export function cancelOptionValue(requestId: string): string {
  return `cancel:${requestId}`;
}

/** The request id of a Cancel request option's value, or undefined for any other value. */
export function requestIdOfCancelOption(value: string): number | undefined {
  const match = /^cancel:(\d{1,9})$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// `/domum cancel` (README, "Cancelling"): its confirmation modal and the one Reason input.

export const CANCEL_MODAL_CALLBACK = 'cancel_modal';
/** The required Reason input of the modal. */
export const CANCEL_REASON_BLOCK = 'cancel_reason';
/** Action id of the text input inside CANCEL_REASON_BLOCK. */
export const CANCEL_REASON_ACTION = VALUE_ACTION;

// ---------------------------------------------------------------------------------------------------------
// `/domum extend` (README, "Extending"): its modal (a new end or a duration to add, and a Reason), the Extend
// button on the requester's reminder before the end, and the Approve / Reject buttons of an extension's card
// with their two modals (the same Comment and Reason inputs as a request's).

export const EXTEND_MODAL_CALLBACK = 'extend_modal';
/** New end (datetime picker), or Add (number) and Unit (select): one of the two. */
export const EXTEND_NEW_END_BLOCK = 'extend_new_end';
export const EXTEND_DURATION_BLOCK = 'extend_duration';
export const EXTEND_UNIT_BLOCK = 'extend_unit';
/** The required Reason input. */
export const EXTEND_REASON_BLOCK = 'extend_reason';
/** Action id of every input of the modal: each block holds one element. */
export const EXTEND_VALUE_ACTION = VALUE_ACTION;
/** "Extend" on the requester's reminder that their accesses end; its value is the request's code. */
export const EXTEND_ACTION = 'request_extend';
/** Approve / Reject on an extension's card; their value is the extension's id. */
export const EXTENSION_APPROVE_ACTION = 'extension_approve';
export const EXTENSION_REJECT_ACTION = 'extension_reject';
export const EXTENSION_APPROVE_MODAL_CALLBACK = 'extension_approve_modal';
export const EXTENSION_REJECT_MODAL_CALLBACK = 'extension_reject_modal';
/** The actions block of the extension card's buttons. */
export const EXTENSION_DECISION_BLOCK = 'extension_decision';
/** The actions block of the reminder's Extend button. */
export const EXTEND_ACTIONS_BLOCK = 'request_extend';

// ---------------------------------------------------------------------------------------------------------
// The access request wizard (README, "Automatically provide access after import"). Every input has a block
// id of its own so a listener can answer `response_action: errors` keyed by it; the block ids stay the same
// across views.update so Slack keeps what the user already typed.

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
/** The actions block of Back, under a step's fields. */
export const WIZARD_NAVIGATION_BLOCK = 'wizard_navigation';

/** The actions block of one step's Edit button on Review. */
export function editBlockId(step: WizardStep): string {
  return `edit_${step}`;
}

// The two searchable selects: their action ids route the options (external data source) requests, and the
// Credentials one also dispatches block_actions so a change re-renders the permission checkboxes.
export const WIZARD_DEVICES_SELECT_ACTION = 'wizard_devices_select';
export const WIZARD_CREDENTIALS_SELECT_ACTION = 'wizard_credentials_select';

/** The action id of every other input: each block holds one element, so the block id alone names the field. */
export const WIZARD_VALUE_ACTION = VALUE_ACTION;

// Block ids, one per input of the wizard's steps (REASON_BLOCK above is General's Reason).
export const JUSTIFICATION_BLOCK = 'justification';
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

// Option values of the choice elements, read back by wizard/wizard-parse.ts.
export const START_SESSION_VALUE = 'start_session';
export const VIEW_PASSWORD_VALUE = 'view_password';
export const EVERY_DAY_VALUE = 'every_day';
export const ALL_HOURS_VALUE = 'all_hours';
export const CUSTOM_TIME_VALUE = 'custom';
export const UNLIMITED_SESSIONS_VALUE = 'unlimited';
export const LIMITED_SESSIONS_VALUE = 'limited';
