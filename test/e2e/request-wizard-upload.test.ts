// Path B with "Automatically provide access after import": the Continue button on an upload's preview
// opens the same modal flow, which asks the question; the card is then threaded under the upload. Also the
// Credentials step re-rendering its permission checkboxes when the chosen credentials change.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AUTO_ACCESS_ACTION,
  AUTO_ACCESS_BLOCK,
  CONTINUE_IMPORT_ACTION,
  CREDENTIALS_BLOCK,
  DEVICES_BLOCK,
  grantBlockId,
  JUSTIFICATION_BLOCK,
  REASON_BLOCK,
  WIZARD_CREDENTIALS_SELECT_ACTION,
  WIZARD_DEVICES_SELECT_ACTION,
  WIZARD_VALUE_ACTION,
} from '../../src/slack/ids.ts';
import { fixturePath } from '../support/fixtures.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';

const REQUESTER = 'U0REQ0001';
const CHANNEL = 'C0UPLOADS';

interface View {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks: unknown[];
}

describe('the wizard from an uploaded file', () => {
  it('asks about automatic access in the modal, and re-renders permissions when credentials change', async () => {
    const app = await startTestApp();
    const db = app.running.deps.db;
    await seedCatalog(db);
    const file = app.slackApi.addFile({
      name: 'clean_en.xlsx',
      bytes: readFileSync(fixturePath('clean_en.xlsx')),
      user: REQUESTER,
      channels: [CHANNEL],
    });
    const shareTs = app.slackApi.shareTs(file.id, CHANNEL) as string;
    await app.slack.event({
      type: 'file_shared',
      file_id: file.id,
      user_id: REQUESTER,
      file: { id: file.id },
      channel_id: CHANNEL,
      event_ts: shareTs,
    });
    const preview = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === shareTs,
      15_000,
    );
    const record = await db.selectFrom('imports').select('id').executeTakeFirstOrThrow();
    await app.slack.interactive({
      type: 'block_actions',
      user: { id: REQUESTER },
      channel: { id: CHANNEL },
      container: { type: 'message', channel_id: CHANNEL, message_ts: String((preview.response as { ts: string }).ts) },
      response_url: app.slackApi.responseUrl('continue'),
      actions: [
        { type: 'button', action_id: CONTINUE_IMPORT_ACTION, block_id: 'b', value: String(record.id), action_ts: '1' },
      ],
    });
    const modal = ((await app.slackApi.waitForCall('views.open')).response as { view: View }).view;
    expect(JSON.stringify(modal.blocks)).toContain('Automatically provide access after import');
    const submit = async (view: View, values: Record<string, unknown>) =>
      (
        await app.slack.interactive({
          type: 'view_submission',
          user: { id: REQUESTER },
          view: { ...view, type: 'modal', state: { values } },
        })
      ).json() as { view: View };
    let view = (
      await submit(modal, {
        [AUTO_ACCESS_BLOCK]: { [AUTO_ACCESS_ACTION]: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
      })
    ).view;
    expect(view.callback_id).toBe('wizard_general');
    view = { ...view, id: modal.id };
    const reason = await db.selectFrom('reasons').select('id').orderBy('name').executeTakeFirstOrThrow();
    view = {
      ...(
        await submit(view, {
          [JUSTIFICATION_BLOCK]: { [WIZARD_VALUE_ACTION]: { type: 'plain_text_input', value: 'Vendor onboarding' } },
          [REASON_BLOCK]: {
            [WIZARD_VALUE_ACTION]: { type: 'static_select', selected_option: { value: String(reason.id) } },
          },
        })
      ).view,
      id: modal.id,
    };
    const device = await db
      .selectFrom('devices')
      .select('id')
      .where('external_id', '=', 'D-1005')
      .executeTakeFirstOrThrow();
    view = {
      ...(
        await submit(view, {
          [DEVICES_BLOCK]: {
            [WIZARD_DEVICES_SELECT_ACTION]: {
              type: 'multi_external_select',
              selected_options: [{ value: `device:${device.id}` }],
            },
          },
        })
      ).view,
      id: modal.id,
    };
    expect(view.callback_id).toBe('wizard_credentials');

    // Choosing credentials dispatches an action: the step is re-rendered with one permission block each.
    const credentials = await db
      .selectFrom('credentials')
      .select(['id', 'username'])
      .where('device_id', '=', device.id)
      .orderBy('username')
      .execute();
    await app.slack.interactive({
      type: 'block_actions',
      user: { id: REQUESTER },
      view: {
        ...view,
        type: 'modal',
        hash: 'h1',
        state: {
          values: {
            [CREDENTIALS_BLOCK]: {
              [WIZARD_CREDENTIALS_SELECT_ACTION]: {
                type: 'multi_external_select',
                selected_options: credentials.map((credential) => ({ value: `credential:${credential.id}` })),
              },
            },
          },
        },
      },
      actions: [
        {
          type: 'multi_external_select',
          action_id: WIZARD_CREDENTIALS_SELECT_ACTION,
          block_id: CREDENTIALS_BLOCK,
          selected_options: credentials.map((credential) => ({ value: `credential:${credential.id}` })),
          action_ts: '2',
        },
      ],
    });
    const rerendered = await app.slackApi.waitForCall('views.update', (call) => call.args.view_id === modal.id);
    const blocks = JSON.stringify((rerendered.args.view as View).blocks);
    for (const credential of credentials) {
      expect(blocks).toContain(grantBlockId(credential.id));
      expect(blocks).toContain(`${credential.username} @ lnx-app-01`);
    }
    // A credential just chosen starts with Start session ticked; no required field is labelled "(optional)".
    const inputs = (rerendered.args.view as { blocks: Array<Record<string, unknown>> }).blocks.filter(
      (block) => block['type'] === 'input',
    );
    for (const credential of credentials) {
      const grant = inputs.find((block) => block['block_id'] === grantBlockId(credential.id));
      expect((grant?.['element'] as { initial_options?: unknown }).initial_options).toEqual([
        expect.objectContaining({ value: 'start_session' }),
      ]);
    }
    expect(inputs.filter((block) => block['optional'] === true)).toEqual([]);

    // Through to Create: the card is threaded under the upload.
    const chosen = credentials[0]!;
    view = { ...(rerendered.args.view as View), id: modal.id };
    view = {
      ...(
        await submit(view, {
          [CREDENTIALS_BLOCK]: {
            [WIZARD_CREDENTIALS_SELECT_ACTION]: {
              type: 'multi_external_select',
              selected_options: [{ value: `credential:${chosen.id}` }],
            },
          },
          [grantBlockId(chosen.id)]: {
            [WIZARD_VALUE_ACTION]: { type: 'checkboxes', selected_options: [{ value: 'view_password' }] },
          },
        })
      ).view,
      id: modal.id,
    };
    expect(view.callback_id).toBe('wizard_limitation');
    const tomorrow = Math.ceil((Date.now() + 24 * 3600 * 1000) / (15 * 60 * 1000)) * 15 * 60;
    const field = (fields: Record<string, unknown>) => ({ [WIZARD_VALUE_ACTION]: fields });
    // Contradictory ticks are refused under their field: Every day plus Monday, All hours plus a preset.
    const contradictory = (
      await app.slack.interactive({
        type: 'view_submission',
        user: { id: REQUESTER, team_id: 'T0TEAM001' },
        view: {
          ...view,
          type: 'modal',
          state: {
            values: {
              start: field({ type: 'datetimepicker', selected_date_time: tomorrow }),
              duration: field({ type: 'number_input', value: '3' }),
              unit: field({ type: 'static_select', selected_option: { value: 'days' } }),
              days: field({ type: 'checkboxes', selected_options: [{ value: 'every_day' }, { value: 'monday' }] }),
              times: field({ type: 'checkboxes', selected_options: [{ value: 'all_hours' }, { value: '08-12' }] }),
              sessions: field({ type: 'radio_buttons', selected_option: { value: 'unlimited' } }),
            },
          },
        },
      })
    ).json() as { response_action: string; errors?: Record<string, string> };
    expect(contradictory).toEqual({
      response_action: 'errors',
      errors: {
        days: 'Tick Every day or particular days, not both',
        times: 'Tick All hours or particular times (presets or Custom), not both',
      },
    });
    view = {
      ...(
        await submit(view, {
          start: field({ type: 'datetimepicker', selected_date_time: tomorrow }),
          duration: field({ type: 'number_input', value: '3' }),
          unit: field({ type: 'static_select', selected_option: { value: 'days' } }),
          days: field({ type: 'checkboxes', selected_options: [{ value: 'every_day' }] }),
          times: field({ type: 'checkboxes', selected_options: [{ value: 'all_hours' }] }),
          sessions: field({ type: 'radio_buttons', selected_option: { value: 'unlimited' } }),
        })
      ).view,
      id: modal.id,
    };
    expect(view.callback_id).toBe('wizard_review');
    await submit(view, {});
    const card = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
      15_000,
    );
    expect(card.args.thread_ts).toBe(shareTs);
    expect(app.slackApi.violations).toEqual([]);
  }, 60_000);
});
