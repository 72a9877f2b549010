// What a requester fills in at each step of the import modal and the request wizard, as Slack delivers it in
// view_submission state values. Shared by the drivers that take a request to its card (request-driver.ts in
// the test process, child-app.ts against a child process).
import {
  AUTO_ACCESS_ACTION,
  AUTO_ACCESS_BLOCK,
  IMPORT_FILE_ACTION,
  IMPORT_FILE_BLOCK,
  CREDENTIALS_BLOCK,
  DAYS_BLOCK,
  DEVICES_BLOCK,
  DURATION_BLOCK,
  grantBlockId,
  JUSTIFICATION_BLOCK,
  REASON_BLOCK,
  SESSIONS_BLOCK,
  START_BLOCK,
  TIMES_BLOCK,
  UNIT_BLOCK,
  WIZARD_CREDENTIALS_SELECT_ACTION,
  WIZARD_DEVICES_SELECT_ACTION,
  WIZARD_VALUE_ACTION,
} from '../../src/slack/ids.ts';

export const wizardValue = (fields: Record<string, unknown>) => ({ [WIZARD_VALUE_ACTION]: fields });

/** The import modal: the uploaded file and "Automatically provide access after import" = Yes. */
export function importStepValues(file: { id: string; name: string }): Record<string, unknown> {
  return {
    [IMPORT_FILE_BLOCK]: { [IMPORT_FILE_ACTION]: { type: 'file_input', files: [{ id: file.id, name: file.name }] } },
    [AUTO_ACCESS_BLOCK]: { [AUTO_ACCESS_ACTION]: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
  };
}

/** General: a justification and the reason with this option value. */
export function generalStepValues(
  reasonValue: string,
  justification = 'Scheduled maintenance',
): Record<string, unknown> {
  return {
    [JUSTIFICATION_BLOCK]: wizardValue({ type: 'plain_text_input', value: justification }),
    [REASON_BLOCK]: wizardValue({ type: 'static_select', selected_option: { value: reasonValue } }),
  };
}

/** Devices: one device, by its option value (`device:<id>`). */
export function devicesStepValues(deviceValue: string): Record<string, unknown> {
  return {
    [DEVICES_BLOCK]: {
      [WIZARD_DEVICES_SELECT_ACTION]: { type: 'multi_external_select', selected_options: [{ value: deviceValue }] },
    },
  };
}

/** Credentials: one credential (`credential:<id>`) with Start session. */
export function credentialsStepValues(credentialValue: string): Record<string, unknown> {
  const credentialId = Number(credentialValue.split(':')[1]);
  return {
    [CREDENTIALS_BLOCK]: {
      [WIZARD_CREDENTIALS_SELECT_ACTION]: {
        type: 'multi_external_select',
        selected_options: [{ value: credentialValue }],
      },
    },
    [grantBlockId(credentialId)]: wizardValue({ type: 'checkboxes', selected_options: [{ value: 'start_session' }] }),
  };
}

/** Access limitation: from the quarter hour a day from now, for 8 hours, every day, all hours, unlimited sessions. */
export function limitationStepValues(now = Date.now()): Record<string, unknown> {
  const tomorrow = Math.ceil((now + 24 * 3600 * 1000) / (15 * 60 * 1000)) * 15 * 60;
  return {
    [START_BLOCK]: wizardValue({ type: 'datetimepicker', selected_date_time: tomorrow }),
    [DURATION_BLOCK]: wizardValue({ type: 'number_input', value: '8' }),
    [UNIT_BLOCK]: wizardValue({ type: 'static_select', selected_option: { value: 'hours' } }),
    [DAYS_BLOCK]: wizardValue({ type: 'checkboxes', selected_options: [{ value: 'every_day' }] }),
    [TIMES_BLOCK]: wizardValue({ type: 'checkboxes', selected_options: [{ value: 'all_hours' }] }),
    [SESSIONS_BLOCK]: wizardValue({ type: 'radio_buttons', selected_option: { value: 'unlimited' } }),
  };
}
