// Ids of the approval feature (SPEC §4a): the card's Approve/Reject buttons, the two decision modals and their
// one text input. Shared by the builders (blocks/approval-blocks.ts, blocks/request-card.ts) and the listeners.

/** Approve button on the request card; its value is the request id as a string. */
export const APPROVE_ACTION = 'request_approve';
/** Reject button on the request card; its value is the request id as a string. */
export const REJECT_ACTION = 'request_reject';
export const APPROVE_MODAL_CALLBACK = 'request_approve_modal';
export const REJECT_MODAL_CALLBACK = 'request_reject_modal';
/** Optional Comment input of the Approve modal. */
export const COMMENT_BLOCK = 'comment';
/** Required Reason input of the Reject modal. */
export const REASON_BLOCK = 'reason';
/** Action id of the text input inside COMMENT_BLOCK / REASON_BLOCK. */
export const DECISION_TEXT_ACTION = 'value';
/** Block id of the actions block that holds the two buttons on the card. */
export const DECISION_ACTIONS_BLOCK = 'request_decision';
/** The card's overflow menu (Cancel request). */
export const CARD_MENU_ACTION = 'request_menu';
/** "Retry failed lines" on a provisioning summary (value: the request id). */
export const RETRY_FAILED_ACTION = 'request_retry';
