// The batch access request wizard end to end (README "Importing users"): a requester imports with "Automatically
// provide access after import" = Yes, walks the five steps (with field errors and one Edit), creates the request, and
// the card is posted once in the channel.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AUTO_ACCESS_ACTION,
  AUTO_ACCESS_BLOCK,
  IMPORT_FILE_ACTION,
  IMPORT_FILE_BLOCK,
  CREDENTIALS_BLOCK,
  DAYS_BLOCK,
  DEVICES_BLOCK,
  DURATION_BLOCK,
  GOVERNANCE_CODE_BLOCK,
  grantBlockId,
  JUSTIFICATION_BLOCK,
  REASON_BLOCK,
  SESSIONS_BLOCK,
  START_BLOCK,
  TIMES_BLOCK,
  UNIT_BLOCK,
  WIZARD_CREDENTIALS_SELECT_ACTION,
  WIZARD_DEVICES_SELECT_ACTION,
  WIZARD_EDIT_ACTION,
  WIZARD_VALUE_ACTION,
} from '../../src/slack/ids.ts';
import { checkView } from '../support/block-kit-limits.ts';
import { fixturePath } from '../support/fixtures.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const REQUESTER = 'U0REQ0001';
const CHANNEL = 'C0REQUESTS';

interface View {
  id: string;
  callback_id: string;
  private_metadata: string;
  hash?: string;
  blocks: unknown[];
}

async function startWithCatalog(): Promise<TestApp> {
  const app = await startTestApp({
    prepareSlackApi: (api) => api.setUser(REQUESTER, { tz: 'America/Sao_Paulo', real_name: 'Rita Requester' }),
  });
  await seedCatalog(app.running.deps.db);
  return app;
}

const value = (fields: Record<string, unknown>) => ({ [WIZARD_VALUE_ACTION]: fields });

/** The hash Slack would put in the payload: the one of the view as the fake last stored it. */
const currentHash = (app: TestApp, viewId: string) =>
  String((app.slackApi.views.get(viewId) as { hash?: string } | undefined)?.hash ?? '');

async function submit(app: TestApp, view: View, values: Record<string, unknown>, user = REQUESTER) {
  const response = await app.slack.interactive({
    type: 'view_submission',
    user: { id: user, team_id: 'T0TEAM001' },
    view: { ...view, type: 'modal', state: { values } },
  });
  expect(response.status).toBe(200);
  return response.json() as { response_action: string; view?: View; errors?: Record<string, string> };
}

/** Up to the General step: /domum import with Yes, the file checked, the preview continued. */
async function reachGeneralStep(app: TestApp): Promise<View> {
  await app.slack.command({ text: 'import', userId: REQUESTER, channelId: CHANNEL });
  const modal = ((await app.slackApi.waitForCall('views.open')).response as { view: View }).view;
  const file = app.slackApi.addFile({
    name: 'clean_en.xlsx',
    bytes: readFileSync(fixturePath('clean_en.xlsx')),
    user: REQUESTER,
  });
  const checking = await submit(app, modal, {
    [IMPORT_FILE_BLOCK]: { [IMPORT_FILE_ACTION]: { type: 'file_input', files: [{ id: file.id, name: file.name }] } },
    [AUTO_ACCESS_BLOCK]: { [AUTO_ACCESS_ACTION]: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
  });
  expect(checking.response_action).toBe('update');
  const preview = (
    (await app.slackApi.waitForCall('views.update', (call) => call.args.view_id === modal.id, 15_000)).response as {
      view: View;
    }
  ).view;
  const general = await submit(app, preview, {});
  expect(general.response_action).toBe('update');
  expect(general.view?.callback_id).toBe('wizard_general');
  return { ...(general.view as View), id: modal.id };
}

describe('the request wizard', () => {
  it('walks the five steps, shows field errors, edits once, and creates one request whose card is posted once', async () => {
    const app = await startWithCatalog();
    const db = app.running.deps.db;
    let view = await reachGeneralStep(app);
    expect(checkView(view)).toEqual([]);

    // General: an empty justification is refused under its field.
    const reason = await db.selectFrom('reasons').select('id').where('name', '=', 'Change').executeTakeFirstOrThrow();
    const general = {
      [JUSTIFICATION_BLOCK]: value({ type: 'plain_text_input', value: 'Quarterly patching of the database servers' }),
      [REASON_BLOCK]: value({ type: 'static_select', selected_option: { value: String(reason.id) } }),
      [GOVERNANCE_CODE_BLOCK]: value({ type: 'plain_text_input', value: '' }),
    };
    const refused = await submit(app, view, {
      ...general,
      [JUSTIFICATION_BLOCK]: value({ type: 'plain_text_input', value: '   ' }),
    });
    expect(refused.response_action).toBe('errors');
    expect(Object.keys(refused.errors ?? {})).toEqual([JUSTIFICATION_BLOCK]);
    let next = await submit(app, view, general);
    expect(next.view?.callback_id).toBe('wizard_devices');
    view = { ...(next.view as View), id: view.id };

    // Devices: searchable, at least one.
    const suggestion = await app.slack.interactive({
      type: 'block_suggestion',
      user: { id: REQUESTER },
      action_id: WIZARD_DEVICES_SELECT_ACTION,
      block_id: DEVICES_BLOCK,
      value: 'sao database',
      view: { ...view, type: 'modal' },
    });
    const offered = (suggestion.json() as { options: Array<{ value: string; text: { text: string } }> }).options;
    expect(offered.map((option) => option.text.text)).toEqual([
      'db-prod-01 · PostgreSQL 16',
      'ora-fin-01 · Oracle Database 19c',
    ]);
    expect(
      (
        await submit(app, view, {
          [DEVICES_BLOCK]: { [WIZARD_DEVICES_SELECT_ACTION]: { type: 'multi_external_select', selected_options: [] } },
        })
      ).errors,
    ).toHaveProperty(DEVICES_BLOCK);
    next = await submit(app, view, {
      [DEVICES_BLOCK]: {
        [WIZARD_DEVICES_SELECT_ACTION]: {
          type: 'multi_external_select',
          selected_options: [{ value: offered[0]?.value }],
        },
      },
    });
    expect(next.view?.callback_id).toBe('wizard_credentials');
    view = { ...(next.view as View), id: view.id };

    // Credentials: only the chosen device's are offered; each needs a permission.
    const credentialSuggestion = await app.slack.interactive({
      type: 'block_suggestion',
      user: { id: REQUESTER },
      action_id: WIZARD_CREDENTIALS_SELECT_ACTION,
      block_id: CREDENTIALS_BLOCK,
      value: '',
      view: { ...view, type: 'modal' },
    });
    const credentials = (credentialSuggestion.json() as { options: Array<{ value: string; text: { text: string } }> })
      .options;
    expect(credentials.map((option) => option.text.text)).toEqual([
      'app_readonly @ db-prod-01',
      'postgres @ db-prod-01',
      'replicator @ db-prod-01',
    ]);
    const postgres = credentials[1]?.value as string;
    const postgresId = Number(postgres.split(':')[1]);
    const chosen = {
      [CREDENTIALS_BLOCK]: {
        [WIZARD_CREDENTIALS_SELECT_ACTION]: { type: 'multi_external_select', selected_options: [{ value: postgres }] },
      },
    };
    const noPermission = await submit(app, view, {
      ...chosen,
      [grantBlockId(postgresId)]: value({ type: 'checkboxes', selected_options: [] }),
    });
    expect(noPermission.errors).toHaveProperty(grantBlockId(postgresId));
    next = await submit(app, view, {
      ...chosen,
      [grantBlockId(postgresId)]: value({
        type: 'checkboxes',
        selected_options: [{ value: 'start_session' }, { value: 'view_password' }],
      }),
    });
    expect(next.view?.callback_id).toBe('wizard_limitation');
    view = { ...(next.view as View), id: view.id };
    expect(JSON.stringify(view.blocks)).toContain('America/Sao_Paulo');

    // Access limitation: zero sessions and a start in the past each get their own message.
    const tomorrow = Math.ceil((Date.now() + 24 * 3600 * 1000) / (15 * 60 * 1000)) * 15 * 60;
    const limitation = (start: number, sessions: Record<string, unknown>) => ({
      [START_BLOCK]: value({ type: 'datetimepicker', selected_date_time: start }),
      [DURATION_BLOCK]: value({ type: 'number_input', value: '2' }),
      [UNIT_BLOCK]: value({ type: 'static_select', selected_option: { value: 'months' } }),
      [DAYS_BLOCK]: value({
        type: 'checkboxes',
        selected_options: [
          { value: 'monday' },
          { value: 'tuesday' },
          { value: 'wednesday' },
          { value: 'thursday' },
          { value: 'friday' },
        ],
      }),
      [TIMES_BLOCK]: value({ type: 'checkboxes', selected_options: [{ value: '08-12' }, { value: '20-24' }] }),
      ...sessions,
    });
    const past = await submit(
      app,
      view,
      limitation(tomorrow - 3 * 24 * 3600, {
        [SESSIONS_BLOCK]: value({ type: 'radio_buttons', selected_option: { value: 'unlimited' } }),
      }),
    );
    expect(past.errors?.[START_BLOCK]).toMatch(/in the past/);
    const zero = await submit(
      app,
      view,
      limitation(tomorrow, {
        [SESSIONS_BLOCK]: value({ type: 'radio_buttons', selected_option: { value: 'limited' } }),
        maximum_sessions: value({ type: 'number_input', value: '0' }),
      }),
    );
    expect(zero.errors).toHaveProperty('maximum_sessions');
    next = await submit(
      app,
      view,
      limitation(tomorrow, {
        [SESSIONS_BLOCK]: value({ type: 'radio_buttons', selected_option: { value: 'limited' } }),
        maximum_sessions: value({ type: 'number_input', value: '10' }),
      }),
    );
    expect(next.view?.callback_id).toBe('wizard_review');
    view = { ...(next.view as View), id: view.id };
    const review = JSON.stringify(view.blocks);
    expect(review).toContain('Mon–Fri, 08:00–12:00 and 20:00–24:00, America/Sao_Paulo');
    expect(review).toContain('for 2 months, at most 10 sessions');
    expect(review).toContain('postgres @ db-prod-01');
    expect(checkView(view)).toEqual([]);

    // Edit General from Review: its Next returns to Review.
    await app.slack.interactive({
      type: 'block_actions',
      user: { id: REQUESTER },
      view: { ...view, type: 'modal', hash: currentHash(app, view.id), state: { values: {} } },
      actions: [
        { type: 'button', action_id: WIZARD_EDIT_ACTION, block_id: 'edit_general', value: 'general', action_ts: '1' },
      ],
    });
    const edited = (
      await app.slackApi.waitForCall(
        'views.update',
        (call) => (call.args.view as { callback_id?: string }).callback_id === 'wizard_general',
      )
    ).args.view as View;
    next = await submit(
      app,
      { ...edited, id: view.id },
      {
        ...general,
        [JUSTIFICATION_BLOCK]: value({
          type: 'plain_text_input',
          value: 'Quarterly patching, window agreed with the vendor',
        }),
      },
    );
    expect(next.view?.callback_id).toBe('wizard_review');
    view = { ...(next.view as View), id: view.id };
    expect(JSON.stringify(view.blocks)).toContain('window agreed with the vendor');

    // Create, twice (a double click): one request.
    const created = await submit(app, view, {});
    expect(JSON.stringify(created.view)).toMatch(/Request W\d{6} was created/);
    const again = await submit(app, view, {});
    expect(JSON.stringify(again.view)).toMatch(/Request W\d{6} was created/);
    const requests = await db.selectFrom('access_requests').selectAll().execute();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      status: 'awaiting_approval',
      requester_user_id: REQUESTER,
      channel_id: CHANNEL,
      time_zone: 'America/Sao_Paulo',
    });

    const card = await app.slackApi.waitForCall('chat.postMessage', (call) => call.args.channel === CHANNEL, 15_000);
    const cardText = JSON.stringify(card.args.blocks) + String(card.args.text);
    for (const part of [
      requests[0]?.code ?? 'W',
      'Awaiting approval',
      '<@U0REQ0001>',
      'clean_en.xlsx',
      'window agreed with the vendor',
      'Change',
      'db-prod-01',
      'postgres @ db-prod-01',
      'Start session',
      'View password',
      'America/Sao_Paulo',
      'Vendor approvers',
    ]) {
      expect(cardText).toContain(part);
    }
    // The users are imported at once; the summary comes with provisioning, after approval.
    await waitFor(async () => (await db.selectFrom('third_party_users').select('email').execute()).length === 5, {
      description: 'the users to be imported',
    });
    expect(app.slackApi.callsTo('chat.postMessage').filter((call) => call.args.channel === CHANNEL)).toHaveLength(1);
    expect(
      app.slackApi.callsTo('chat.postMessage').filter((call) => String(call.args.text).startsWith('Summary')),
    ).toEqual([]);
    expect(app.slackApi.violations).toEqual([]);
  }, 60_000);

  it('goes Back, keeps a closed draft to resume from /domum import, and names each limitation problem', async () => {
    const app = await startWithCatalog();
    const db = app.running.deps.db;
    const view = await reachGeneralStep(app);
    const reason = await db.selectFrom('reasons').select('id').where('name', '=', 'Incident').executeTakeFirstOrThrow();
    const devicesStep = await submit(app, view, {
      [JUSTIFICATION_BLOCK]: value({ type: 'plain_text_input', value: 'Incident 4711: database failover' }),
      [REASON_BLOCK]: value({ type: 'static_select', selected_option: { value: String(reason.id) } }),
    });
    const devicesView = { ...(devicesStep.view as View), id: view.id };

    // Back: General again, with what was saved.
    await app.slack.interactive({
      type: 'block_actions',
      user: { id: REQUESTER },
      view: { ...devicesView, type: 'modal', hash: currentHash(app, devicesView.id), state: { values: {} } },
      actions: [{ type: 'button', action_id: 'wizard_back', block_id: 'navigation', value: 'back', action_ts: '1' }],
    });
    const back = await app.slackApi.waitForCall(
      'views.update',
      (call) => (call.args.view as { callback_id?: string }).callback_id === 'wizard_general',
    );
    expect(JSON.stringify(back.args.view)).toContain('Incident 4711: database failover');

    // The modal is closed here; /domum import offers to resume the draft, at the first unanswered step.
    await app.slack.command({ text: 'import', userId: REQUESTER, channelId: CHANNEL });
    const opened = await app.slackApi.waitForCalls('views.open', 2);
    const importModal = (opened[1]?.response as { view: View }).view;
    const draft = await db.selectFrom('request_drafts').select('id').executeTakeFirstOrThrow();
    expect(JSON.stringify(importModal.blocks)).toContain(draft.id);
    expect(JSON.stringify(importModal.blocks)).toContain('unfinished access request for *clean_en.xlsx*');
    await app.slack.interactive({
      type: 'block_actions',
      user: { id: REQUESTER },
      view: { ...importModal, type: 'modal', hash: currentHash(app, importModal.id), state: { values: {} } },
      actions: [{ type: 'button', action_id: 'wizard_resume', block_id: 'resume', value: draft.id, action_ts: '2' }],
    });
    const resumed = await app.slackApi.waitForCall('views.update', (call) => call.args.view_id === importModal.id);
    expect((resumed.args.view as View).callback_id).toBe('wizard_devices');

    // Through to the limitation step, where an end beyond the contract and an empty window each have a message.
    const device = await db
      .selectFrom('devices')
      .select('id')
      .where('external_id', '=', 'D-1001')
      .executeTakeFirstOrThrow();
    const credential = await db
      .selectFrom('credentials')
      .select('id')
      .where('external_id', '=', 'C-5001')
      .executeTakeFirstOrThrow();
    const resumedView = { ...(resumed.args.view as View), id: importModal.id };
    const credentialsStep = await submit(app, resumedView, {
      [DEVICES_BLOCK]: {
        [WIZARD_DEVICES_SELECT_ACTION]: {
          type: 'multi_external_select',
          selected_options: [{ value: `device:${device.id}` }],
        },
      },
    });
    const limitationStep = await submit(
      app,
      { ...(credentialsStep.view as View), id: importModal.id },
      {
        [CREDENTIALS_BLOCK]: {
          [WIZARD_CREDENTIALS_SELECT_ACTION]: {
            type: 'multi_external_select',
            selected_options: [{ value: `credential:${credential.id}` }],
          },
        },
        [grantBlockId(credential.id)]: value({ type: 'checkboxes', selected_options: [{ value: 'start_session' }] }),
      },
    );
    const limitationView = { ...(limitationStep.view as View), id: importModal.id };
    expect(limitationView.callback_id).toBe('wizard_limitation');
    const tomorrow = Math.ceil((Date.now() + 24 * 3600 * 1000) / (15 * 60 * 1000)) * 15 * 60;
    const base = {
      [START_BLOCK]: value({ type: 'datetimepicker', selected_date_time: tomorrow }),
      [DURATION_BLOCK]: value({ type: 'number_input', value: '1' }),
      [UNIT_BLOCK]: value({ type: 'static_select', selected_option: { value: 'days' } }),
      [DAYS_BLOCK]: value({ type: 'checkboxes', selected_options: [{ value: 'every_day' }] }),
      [TIMES_BLOCK]: value({ type: 'checkboxes', selected_options: [{ value: 'all_hours' }] }),
      [SESSIONS_BLOCK]: value({ type: 'radio_buttons', selected_option: { value: 'unlimited' } }),
    };
    // Acme's contract ends on 2027-12-31: 30 months from tomorrow is beyond it.
    const tooLong = await submit(app, limitationView, {
      ...base,
      [DURATION_BLOCK]: value({ type: 'number_input', value: '30' }),
      [UNIT_BLOCK]: value({ type: 'static_select', selected_option: { value: 'months' } }),
    });
    expect(tooLong.errors?.[DURATION_BLOCK]).toMatch(/contract ends on/);
    const emptyWindow = await submit(app, limitationView, {
      ...base,
      [TIMES_BLOCK]: value({ type: 'checkboxes', selected_options: [{ value: 'custom' }] }),
      custom_start: value({ type: 'static_select', selected_option: { value: '10:00' } }),
      custom_end: value({ type: 'static_select', selected_option: { value: '10:00' } }),
    });
    expect(emptyWindow.errors?.custom_end).toMatch(/empty/);
    const noDay = await submit(app, limitationView, {
      ...base,
      [DAYS_BLOCK]: value({ type: 'checkboxes', selected_options: [] }),
    });
    expect(noDay.errors).toHaveProperty(DAYS_BLOCK);
    expect(app.slackApi.violations).toEqual([]);
  }, 60_000);

  it('tells the requester how to add the bot when it cannot post the card in the channel', async () => {
    const app = await startWithCatalog();
    const db = app.running.deps.db;
    let view = await reachGeneralStep(app);
    const reason = await db.selectFrom('reasons').select('id').where('name', '=', 'Change').executeTakeFirstOrThrow();
    const device = await db
      .selectFrom('devices')
      .select('id')
      .where('external_id', '=', 'D-1001')
      .executeTakeFirstOrThrow();
    const credential = await db
      .selectFrom('credentials')
      .select('id')
      .where('external_id', '=', 'C-5001')
      .executeTakeFirstOrThrow();
    const tomorrow = Math.ceil((Date.now() + 24 * 3600 * 1000) / (15 * 60 * 1000)) * 15 * 60;
    const steps: Array<Record<string, unknown>> = [
      {
        [JUSTIFICATION_BLOCK]: value({ type: 'plain_text_input', value: 'Maintenance' }),
        [REASON_BLOCK]: value({ type: 'static_select', selected_option: { value: String(reason.id) } }),
      },
      {
        [DEVICES_BLOCK]: {
          [WIZARD_DEVICES_SELECT_ACTION]: {
            type: 'multi_external_select',
            selected_options: [{ value: `device:${device.id}` }],
          },
        },
      },
      {
        [CREDENTIALS_BLOCK]: {
          [WIZARD_CREDENTIALS_SELECT_ACTION]: {
            type: 'multi_external_select',
            selected_options: [{ value: `credential:${credential.id}` }],
          },
        },
        [grantBlockId(credential.id)]: value({ type: 'checkboxes', selected_options: [{ value: 'view_password' }] }),
      },
      {
        [START_BLOCK]: value({ type: 'datetimepicker', selected_date_time: tomorrow }),
        [DURATION_BLOCK]: value({ type: 'number_input', value: '4' }),
        [UNIT_BLOCK]: value({ type: 'static_select', selected_option: { value: 'hours' } }),
        [DAYS_BLOCK]: value({ type: 'checkboxes', selected_options: [{ value: 'every_day' }] }),
        [TIMES_BLOCK]: value({ type: 'checkboxes', selected_options: [{ value: 'all_hours' }] }),
        [SESSIONS_BLOCK]: value({ type: 'radio_buttons', selected_option: { value: 'unlimited' } }),
      },
      {},
    ];
    app.slackApi.failNext('chat.postMessage', { body: { ok: false, error: 'not_in_channel' } });
    for (const values of steps) {
      const next = await submit(app, view, values);
      expect(next.response_action).toBe('update');
      view = { ...(next.view as View), id: view.id };
    }
    const told = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('/invite @Domum'),
      15_000,
    );
    expect(String(told.args.text)).toContain(`<#${CHANNEL}>`);
    // The card itself follows in the same direct message, so the request is not lost.
    await waitFor(
      async () => (await db.selectFrom('access_requests').select('card_ts').executeTakeFirstOrThrow()).card_ts !== null,
      { description: 'the card to be sent' },
    );
    expect(
      app.slackApi
        .callsTo('chat.postMessage')
        .filter(
          (call) =>
            call.args.channel === `D${REQUESTER}` &&
            JSON.stringify(call.args.blocks ?? '').includes('Awaiting approval'),
        ),
    ).toHaveLength(1);
  }, 60_000);

  it('asks for the card channel when /domum import runs where the bot cannot post', async () => {
    const app = await startWithCatalog();
    app.slackApi.setNotMember('C0NOTMINE');
    await app.slack.command({ text: 'import', userId: REQUESTER, channelId: 'DREQ00001' });
    const modal = ((await app.slackApi.waitForCall('views.open')).response as { view: View }).view;
    expect(JSON.stringify(modal.blocks)).toContain('"card_channel"');
    const file = app.slackApi.addFile({
      name: 'clean_en.xlsx',
      bytes: readFileSync(fixturePath('clean_en.xlsx')),
      user: REQUESTER,
    });
    const base = {
      [IMPORT_FILE_BLOCK]: { [IMPORT_FILE_ACTION]: { type: 'file_input', files: [{ id: file.id, name: file.name }] } },
      [AUTO_ACCESS_BLOCK]: { [AUTO_ACCESS_ACTION]: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
    };
    const missing = await submit(app, modal, base);
    expect(missing.errors).toHaveProperty('card_channel');
    const notMember = await submit(app, modal, {
      ...base,
      card_channel: { channel: { type: 'conversations_select', selected_conversation: 'C0NOTMINE' } },
    });
    expect(notMember.errors?.card_channel).toContain('/invite @Domum');
    const accepted = await submit(app, modal, {
      ...base,
      card_channel: { channel: { type: 'conversations_select', selected_conversation: CHANNEL } },
    });
    expect(accepted.response_action).toBe('update');
    expect(
      (await app.running.deps.db.selectFrom('imports').select('channel_id').executeTakeFirstOrThrow()).channel_id,
    ).toBe(CHANNEL);
    // In a channel where the bot is a member, nothing is asked.
    await app.slack.command({ text: 'import', userId: REQUESTER, channelId: CHANNEL });
    const second = ((await app.slackApi.waitForCalls('views.open', 2))[1]?.response as { view: View }).view;
    expect(JSON.stringify(second.blocks)).not.toContain('"card_channel"');
  });

  it('cannot be reached by an importer who is not a requester, even by replaying a payload', async () => {
    const app = await startWithCatalog();
    await app.slack.command({ text: 'import', userId: 'U0IMPORT1', channelId: CHANNEL });
    const modal = ((await app.slackApi.waitForCall('views.open')).response as { view: View }).view;
    expect(JSON.stringify(modal.blocks)).not.toContain('"radio_buttons"');
    const file = app.slackApi.addFile({
      name: 'clean_en.xlsx',
      bytes: readFileSync(fixturePath('clean_en.xlsx')),
      user: 'U0IMPORT1',
    });
    await submit(
      app,
      modal,
      {
        [IMPORT_FILE_BLOCK]: {
          [IMPORT_FILE_ACTION]: { type: 'file_input', files: [{ id: file.id, name: file.name }] },
        },
        [AUTO_ACCESS_BLOCK]: { [AUTO_ACCESS_ACTION]: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
      },
      'U0IMPORT1',
    );
    const preview = (
      (await app.slackApi.waitForCall('views.update', (call) => call.args.view_id === modal.id, 15_000)).response as {
        view: View;
      }
    ).view;
    const answer = await submit(
      app,
      preview,
      { [AUTO_ACCESS_BLOCK]: { [AUTO_ACCESS_ACTION]: { type: 'radio_buttons', selected_option: { value: 'yes' } } } },
      'U0IMPORT1',
    );
    expect(answer.view?.callback_id).not.toBe('wizard_general');
    expect(await app.running.deps.db.selectFrom('request_drafts').selectAll().execute()).toEqual([]);
    expect(await app.running.deps.db.selectFrom('access_requests').selectAll().execute()).toEqual([]);
  });
});
