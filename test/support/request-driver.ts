// Creates a batch access request through the real wizard (signed requests to the app, the fake Web API),
// for tests of what happens after Create.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { AUTO_ACCESS_ACTION, AUTO_ACCESS_BLOCK, IMPORT_FILE_ACTION, IMPORT_FILE_BLOCK } from '../../src/slack/ids.ts';
import {
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
} from '../../src/slack/wizard/wizard-ids.ts';
import { fixturePath } from './fixtures.ts';
import type { TestApp } from './test-app.ts';

interface View {
  id: string;
  callback_id: string;
  private_metadata: string;
}

const value = (fields: Record<string, unknown>) => ({ [WIZARD_VALUE_ACTION]: fields });

async function submit(app: TestApp, view: View, values: Record<string, unknown>, user: string) {
  const response = await app.slack.interactive({ type: 'view_submission', user: { id: user, team_id: 'T0TEAM001' }, view: { ...view, type: 'modal', state: { values } } });
  return response.json() as { response_action: string; view?: View };
}

export async function createRequestThroughWizard(app: TestApp, options: { requester: string; channel: string; file?: string; bytes?: Buffer }): Promise<{ id: number; code: string }> {
  const { requester, channel } = options;
  const db = app.running.deps.db;
  const opensBefore = app.slackApi.callsTo('views.open').length;
  await app.slack.command({ text: 'import', userId: requester, channelId: channel });
  const opened = await app.slackApi.waitForCalls('views.open', opensBefore + 1);
  const modal = (opened[opensBefore]?.response as { view: View }).view;
  const name = options.file ?? 'clean_en.xlsx';
  const file = app.slackApi.addFile({ name, bytes: options.bytes ?? readFileSync(fixturePath(name)), user: requester });
  await submit(app, modal, {
    [IMPORT_FILE_BLOCK]: { [IMPORT_FILE_ACTION]: { type: 'file_input', files: [{ id: file.id, name: file.name }] } },
    [AUTO_ACCESS_BLOCK]: { [AUTO_ACCESS_ACTION]: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
  }, requester);
  const preview = ((await app.slackApi.waitForCall('views.update', (call) => call.args.view_id === modal.id, 15_000)).response as { view: View }).view;
  const reason = await db.selectFrom('reasons').select('id').where('enabled', '=', true).orderBy('name').executeTakeFirstOrThrow();
  const device = await db.selectFrom('devices').select('id').where('external_id', '=', 'D-1001').executeTakeFirstOrThrow();
  const credential = await db.selectFrom('credentials').select('id').where('external_id', '=', 'C-5001').executeTakeFirstOrThrow();
  const tomorrow = Math.ceil((Date.now() + 24 * 3600 * 1000) / (15 * 60 * 1000)) * 15 * 60;
  const steps: Array<Record<string, unknown>> = [
    {},
    { [JUSTIFICATION_BLOCK]: value({ type: 'plain_text_input', value: 'Scheduled maintenance' }), [REASON_BLOCK]: value({ type: 'static_select', selected_option: { value: String(reason.id) } }) },
    { [DEVICES_BLOCK]: { [WIZARD_DEVICES_SELECT_ACTION]: { type: 'multi_external_select', selected_options: [{ value: `device:${device.id}` }] } } },
    {
      [CREDENTIALS_BLOCK]: { [WIZARD_CREDENTIALS_SELECT_ACTION]: { type: 'multi_external_select', selected_options: [{ value: `credential:${credential.id}` }] } },
      [grantBlockId(credential.id)]: value({ type: 'checkboxes', selected_options: [{ value: 'start_session' }] }),
    },
    {
      [START_BLOCK]: value({ type: 'datetimepicker', selected_date_time: tomorrow }),
      [DURATION_BLOCK]: value({ type: 'number_input', value: '8' }),
      [UNIT_BLOCK]: value({ type: 'static_select', selected_option: { value: 'hours' } }),
      [DAYS_BLOCK]: value({ type: 'checkboxes', selected_options: [{ value: 'every_day' }] }),
      [TIMES_BLOCK]: value({ type: 'checkboxes', selected_options: [{ value: 'all_hours' }] }),
      [SESSIONS_BLOCK]: value({ type: 'radio_buttons', selected_option: { value: 'unlimited' } }),
    },
    {},
  ];
  let view: View = preview;
  for (const values of steps) {
    const next = await submit(app, view, values, requester);
    expect(next.response_action).toBe('update');
    view = { ...(next.view as View), id: modal.id };
  }
  const request = await db.selectFrom('access_requests as r').innerJoin('imports as i', 'i.id', 'r.import_id').select(['r.id', 'r.code']).where('i.file_hash', 'is not', null).orderBy('r.id', 'desc').executeTakeFirstOrThrow();
  return request;
}
