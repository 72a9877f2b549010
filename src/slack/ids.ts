// Every Slack identifier the app uses (command, action ids, callback ids), shared by the block builders that
// emit them and the listeners that receive them. slack-manifest.yml is kept in step by a test.
export const SLASH_COMMAND = '/domum';
export const SLACK_EVENTS_PATH = '/slack/events';

// The import flow (SPEC §4): the file modal, the checking/preview modal, and the preview buttons of path B.
export const IMPORT_MODAL_CALLBACK = 'import_modal';
export const PREVIEW_MODAL_CALLBACK = 'import_preview_modal';
export const PROGRESS_MODAL_CALLBACK = 'import_progress_modal';
export const IMPORT_FILE_BLOCK = 'import_file';
export const IMPORT_FILE_ACTION = 'spreadsheet';
export const CONTINUE_IMPORT_ACTION = 'import_continue';
export const CANCEL_IMPORT_ACTION = 'import_cancel';
export const AUTO_ACCESS_BLOCK = 'auto_access';
export const AUTO_ACCESS_ACTION = 'choice';
export const CARD_CHANNEL_BLOCK = 'card_channel';
export const CARD_CHANNEL_ACTION = 'channel';

// `/domum status` and the App Home (SPEC §4): the "More" button of the list, the detail modal (no submit).
export const STATUS_MORE_ACTION = 'status_more';
export const STATUS_DETAIL_CALLBACK = 'status_detail';
