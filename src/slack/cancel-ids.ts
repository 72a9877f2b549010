// Ids of `/domum cancel` (issue 8): its confirmation modal and the one Reason input. Shared by the builder
// (blocks/cancel-blocks.ts) and the listener (cancel-handlers.ts).
export const CANCEL_MODAL_CALLBACK = 'cancel_modal';
/** The required Reason input of the modal. */
export const CANCEL_REASON_BLOCK = 'cancel_reason';
/** Action id of the text input inside CANCEL_REASON_BLOCK. */
export const CANCEL_REASON_ACTION = 'value';
