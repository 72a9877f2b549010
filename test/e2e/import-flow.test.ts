// Both import paths end to end through signed Slack requests and the fake Web API (README "Importing users"): the
// upload in a channel (path B) and /domum import (path A), from the file to the users and the summary.
import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import {
  CANCEL_IMPORT_ACTION,
  CONTINUE_IMPORT_ACTION,
  IMPORT_FILE_ACTION,
  IMPORT_FILE_BLOCK,
  IMPORT_MODAL_CALLBACK,
  PREVIEW_MODAL_CALLBACK,
} from '../../src/slack/ids.ts';
import { checkView } from '../support/block-kit-limits.ts';
import { fixturePath } from '../support/fixtures.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const CHANNEL = 'C0IMPORTS1';
const IMPORTER = 'U0IMPORT1';

async function startWithCatalog(): Promise<TestApp> {
  const app = await startTestApp();
  await seedCatalog(app.running.deps.db);
  return app;
}

function textOf(args: Record<string, unknown>): string {
  return JSON.stringify(args.blocks ?? '') + (typeof args.text === 'string' ? args.text : '');
}

function upload(app: TestApp, name: string, bytes: Buffer, user = IMPORTER) {
  const file = app.slackApi.addFile({ name, bytes, user, channels: [CHANNEL] });
  const shareTs = app.slackApi.shareTs(file.id, CHANNEL) as string;
  const event = {
    type: 'file_shared',
    file_id: file.id,
    user_id: user,
    file: { id: file.id },
    channel_id: CHANNEL,
    event_ts: shareTs,
  };
  return { file, shareTs, event };
}

function button(actionId: string, value: string, user: string, messageTs: string, responseUrl: string) {
  return {
    type: 'block_actions',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAM001' },
    container: { type: 'message', message_ts: messageTs, channel_id: CHANNEL, is_ephemeral: false },
    channel: { id: CHANNEL, name: 'imports' },
    message: { ts: messageTs, type: 'message' },
    response_url: responseUrl,
    actions: [
      { type: 'button', action_id: actionId, block_id: 'preview_actions', value, action_ts: String(Date.now() / 1000) },
    ],
  };
}

function submission(
  view: { id: string; callback_id: string; private_metadata?: string },
  user: string,
  values: Record<string, unknown> = {},
) {
  return {
    type: 'view_submission',
    user: { id: user, username: user.toLowerCase(), team_id: 'T0TEAM001' },
    view: {
      ...view,
      type: 'modal',
      team_id: 'T0TEAM001',
      hash: 'h1',
      state: { values },
      private_metadata: view.private_metadata ?? '',
    },
  };
}

describe('path B: a spreadsheet uploaded in a channel', () => {
  it('previews it once in the file thread, then imports on Continue and replies with the summary', async () => {
    const app = await startWithCatalog();
    const { file, shareTs, event } = upload(
      app,
      'validation_errors.xlsx',
      readFileSync(fixturePath('validation_errors.xlsx')),
    );
    // One upload, several deliveries (file_shared twice, plus a retry): one import, one preview.
    await app.slack.event(event);
    await app.slack.event(event);
    await app.slack.event(event, { retryNum: 1, retryReason: 'http_timeout' });
    const preview = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === shareTs,
      15_000,
    );
    const previewText = textOf(preview.args);
    expect(previewText).toContain('15 lines');
    expect(previewText).toContain('2 will be created (1 active, 1 inactive)');
    expect(previewText).toContain('13 errors');
    expect(previewText).toMatch(/line \d+ · Email · \\"[^"]*\\" · /);
    // More than 10 error lines: every line is in the results file, attached in the thread.
    const previewUpload = await app.slackApi.waitForUpload((entry) => entry.threadTs === shareTs, 15_000);
    expect(previewUpload.filename).toMatch(/^IMP-\d{6}-results\.xlsx$/);
    expect(app.slackApi.downloads.filter((download) => download.fileId === file.id)).toEqual([
      expect.objectContaining({ authorized: true }),
    ]);
    const imports = await app.running.deps.db.selectFrom('imports').selectAll().execute();
    expect(imports).toHaveLength(1);
    expect(app.slackApi.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === shareTs)).toHaveLength(1);
    expect(await app.running.deps.db.selectFrom('third_party_users').selectAll().execute()).toEqual([]);

    // Someone else cannot continue it.
    const previewTs = String((preview.response as { ts: string }).ts);
    const importId = String(imports[0]?.id);
    await app.slack.interactive(
      button(CONTINUE_IMPORT_ACTION, importId, 'U0REQ0001', previewTs, app.slackApi.responseUrl('stranger')),
    );
    const refusal = await app.slackApi.waitForResponse((response) => response.id === 'stranger');
    expect(JSON.stringify(refusal.body)).toContain('Only <@U0IMPORT1>');

    // The importer continues: the same modal flow opens, and its submission imports.
    const opened = await app.slack.interactive(
      button(CONTINUE_IMPORT_ACTION, importId, IMPORTER, previewTs, app.slackApi.responseUrl('importer')),
    );
    expect(opened.status).toBe(200);
    const modal = await app.slackApi.waitForCall('views.open');
    const view = (modal.response as { view: { id: string; callback_id: string; private_metadata: string } }).view;
    expect(view.callback_id).toBe(PREVIEW_MODAL_CALLBACK);
    const submitted = await app.slack.interactive(submission(view, IMPORTER));
    const ack = submitted.json() as { response_action: string; view: unknown };
    expect(ack.response_action).toBe('update');
    expect(checkView(ack.view)).toEqual([]);
    const summary = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === shareTs && String(call.args.text).startsWith('Summary'),
      15_000,
    );
    expect(textOf(summary.args)).toContain('Created: 1');
    expect(textOf(summary.args)).toContain('Created inactive: 1');
    expect(textOf(summary.args)).toContain('Errors: 13');
    const results = await app.slackApi.waitForUpload(
      (entry) => entry.threadTs === shareTs && entry !== previewUpload,
      15_000,
    );
    const workbook = XLSX.read(results.bytes, { type: 'buffer' });
    const firstSheet = workbook.Sheets[workbook.SheetNames[0] ?? ''] as XLSX.WorkSheet;
    expect(XLSX.utils.sheet_to_json<unknown[]>(firstSheet, { header: 1 })[0]?.slice(0, 4)).toEqual([
      'Line',
      'Outcome',
      'Access id',
      'Errors',
    ]);
    // The preview's buttons are gone once the import continued.
    const updated = await app.slackApi.waitForCall('chat.update', (call) => call.args.ts === previewTs);
    expect(JSON.stringify(updated.args.blocks)).not.toContain(CONTINUE_IMPORT_ACTION);
    expect(await app.running.deps.db.selectFrom('third_party_users').select('email').execute()).toHaveLength(2);
    expect(app.slackApi.violations).toEqual([]);
  });

  it('ignores files that are not spreadsheets, files from people who cannot import, and its own uploads', async () => {
    const app = await startWithCatalog();
    await app.slack.event(upload(app, 'notes.pdf', Buffer.from('%PDF-1.4')).event);
    await app.slack.event(upload(app, 'users.csv', readFileSync(fixturePath('clean_comma.csv')), 'U0APPR001').event);
    await app.slack.event(
      upload(app, 'IMP-000001-results.xlsx', readFileSync(fixturePath('clean_en.xlsx')), app.slackApi.botUserId).event,
    );
    // A spreadsheet from an importer afterwards is handled: everything before it was looked at and ignored.
    const { shareTs, event } = upload(app, 'clean_comma.csv', readFileSync(fixturePath('clean_comma.csv')));
    await app.slack.event(event);
    await app.slackApi.waitForCall('chat.postMessage', (call) => call.args.thread_ts === shareTs, 15_000);
    expect(await app.running.deps.db.selectFrom('imports').select('file_name').execute()).toEqual([
      { file_name: 'clean_comma.csv' },
    ]);
  });

  it('cancels on Cancel, writing nothing, and says so in place of the buttons', async () => {
    const app = await startWithCatalog();
    const { shareTs, event } = upload(app, 'clean_en.xlsx', readFileSync(fixturePath('clean_en.xlsx')));
    await app.slack.event(event);
    const preview = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === shareTs,
      15_000,
    );
    const previewTs = String((preview.response as { ts: string }).ts);
    const [record] = await app.running.deps.db.selectFrom('imports').select(['id']).execute();
    await app.slack.interactive(
      button(CANCEL_IMPORT_ACTION, String(record?.id), IMPORTER, previewTs, app.slackApi.responseUrl('cancel')),
    );
    const updated = await app.slackApi.waitForCall('chat.update', (call) => call.args.ts === previewTs);
    expect(textOf(updated.args)).toContain('Cancelled by <@U0IMPORT1>');
    expect((await app.running.deps.db.selectFrom('imports').select('status').executeTakeFirst())?.status).toBe(
      'cancelled',
    );
    expect(await app.running.deps.db.selectFrom('third_party_users').selectAll().execute()).toEqual([]);
  });

  it('warns when the same file was imported before, and still allows it', async () => {
    const app = await startWithCatalog();
    const bytes = readFileSync(fixturePath('clean_comma.csv'));
    const first = upload(app, 'clean_comma.csv', bytes);
    await app.slack.event(first.event);
    await app.slackApi.waitForCall('chat.postMessage', (call) => call.args.thread_ts === first.shareTs, 15_000);
    const second = upload(app, 'clean_comma (1).csv', bytes);
    await app.slack.event(second.event);
    const preview = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === second.shareTs,
      15_000,
    );
    expect(textOf(preview.args)).toMatch(/already imported as IMP-\d{6}/);
    expect(JSON.stringify(preview.args.blocks)).toContain(CONTINUE_IMPORT_ACTION);
  });

  it('explains a refused file in the thread', async () => {
    const app = await startWithCatalog();
    const { shareTs, event } = upload(
      app,
      'missing_email_column.xlsx',
      readFileSync(fixturePath('missing_email_column.xlsx')),
    );
    await app.slack.event(event);
    const reply = await app.slackApi.waitForCall('chat.postMessage', (call) => call.args.thread_ts === shareTs, 15_000);
    expect(textOf(reply.args)).toContain('Email');
    expect(textOf(reply.args)).toContain('cannot be imported');
    expect((await app.running.deps.db.selectFrom('imports').select('status').executeTakeFirst())?.status).toBe(
      'failed',
    );
  });
});

describe('path A: /domum import', () => {
  it('opens the modal, checks the file, previews in the modal, imports on Continue and sends the summary as a DM', async () => {
    const app = await startWithCatalog();
    const command = await app.slack.command({ text: 'import', userId: IMPORTER, channelId: CHANNEL });
    expect(command.status).toBe(200);
    const opened = await app.slackApi.waitForCall('views.open');
    const modal = (opened.response as { view: { id: string; callback_id: string; blocks: unknown[] } }).view;
    expect(modal.callback_id).toBe(IMPORT_MODAL_CALLBACK);
    expect(JSON.stringify(modal.blocks)).toContain('Automatically provide access after import');
    expect(JSON.stringify(modal.blocks)).toContain('Only requesters can ask for access');

    const file = app.slackApi.addFile({
      name: 'clean_en.xlsx',
      bytes: readFileSync(fixturePath('clean_en.xlsx')),
      user: IMPORTER,
    });
    const values = {
      [IMPORT_FILE_BLOCK]: {
        [IMPORT_FILE_ACTION]: { type: 'file_input', files: [{ id: file.id, name: file.name, title: file.name }] },
      },
    };
    const submitted = await app.slack.interactive(submission(modal, IMPORTER, values));
    const ack = submitted.json() as { response_action: string; view: { blocks: unknown[] } };
    expect(ack.response_action).toBe('update');
    expect(JSON.stringify(ack.view.blocks)).toContain('Checking *clean_en.xlsx*…');
    expect(checkView(ack.view)).toEqual([]);

    const updated = await app.slackApi.waitForCall('views.update', (call) => call.args.view_id === modal.id, 15_000);
    const previewView = (
      updated.response as { view: { id: string; callback_id: string; private_metadata: string; blocks: unknown[] } }
    ).view;
    expect(previewView.callback_id).toBe(PREVIEW_MODAL_CALLBACK);
    expect(JSON.stringify(previewView.blocks)).toContain('5 will be created (4 active, 1 inactive)');
    const continued = await app.slack.interactive(submission(previewView, IMPORTER));
    expect((continued.json() as { response_action: string }).response_action).toBe('update');
    const summary = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith('Summary'),
      15_000,
    );
    expect(summary.args.channel).toBe(`D${IMPORTER}`);
    expect(textOf(summary.args)).toContain('Created: 4');
    expect(textOf(summary.args)).toContain('Created inactive: 1');
    await app.slackApi.waitForUpload((entry) => entry.channelId === `D${IMPORTER}`, 15_000);
    expect(await app.running.deps.db.selectFrom('third_party_users').select('email').execute()).toHaveLength(5);
    expect(app.slackApi.violations).toEqual([]);
  });

  it('tells someone without an import role that they cannot import, opening nothing', async () => {
    const app = await startWithCatalog();
    const response = await app.slack.command({ text: 'import', userId: 'U0APPR001' });
    expect((response.json() as { text: string }).text).toContain('You cannot import users');
    expect(app.slackApi.callsTo('views.open')).toEqual([]);
  });

  it('offers requesters "Automatically provide access after import", Yes or No', async () => {
    const app = await startWithCatalog();
    await app.slack.command({ text: 'import', userId: 'U0REQ0001' });
    const opened = await app.slackApi.waitForCall('views.open');
    const view = opened.args.view as {
      blocks: Array<{
        type: string;
        label?: { text: string };
        element?: { type: string; options?: Array<{ value: string }> };
      }>;
    };
    const choice = view.blocks.find((block) => block.label?.text === 'Automatically provide access after import');
    expect(choice?.element?.type).toBe('radio_buttons');
    expect(choice?.element?.options?.map((option) => option.value)).toEqual(['yes', 'no']);
    expect(JSON.stringify(view)).not.toContain('Only requesters can ask for access');
  });

  it('cancels the import when the preview modal is closed', async () => {
    const app = await startWithCatalog();
    await app.slack.command({ text: 'import', userId: IMPORTER });
    const modal = (
      (await app.slackApi.waitForCall('views.open')).response as { view: { id: string; callback_id: string } }
    ).view;
    const file = app.slackApi.addFile({
      name: 'clean_en.xlsx',
      bytes: readFileSync(fixturePath('clean_en.xlsx')),
      user: IMPORTER,
    });
    await app.slack.interactive(
      submission(modal, IMPORTER, {
        [IMPORT_FILE_BLOCK]: {
          [IMPORT_FILE_ACTION]: { type: 'file_input', files: [{ id: file.id, name: file.name }] },
        },
      }),
    );
    const updated = await app.slackApi.waitForCall('views.update', undefined, 15_000);
    const previewView = (updated.response as { view: { id: string; callback_id: string; private_metadata: string } })
      .view;
    await app.slack.interactive({
      type: 'view_closed',
      user: { id: IMPORTER },
      view: { ...previewView, type: 'modal', state: { values: {} } },
      is_cleared: false,
    });
    await waitFor(
      async () =>
        (await app.running.deps.db.selectFrom('imports').select('status').executeTakeFirst())?.status === 'cancelled',
      { description: 'the import to be cancelled' },
    );
  });
});

describe('/domum template', () => {
  it('sends the template to the user as a direct message', async () => {
    const app = await startWithCatalog();
    const response = await app.slack.command({ text: 'template', userId: IMPORTER });
    expect(response.status).toBe(200);
    const upload = await app.slackApi.waitForUpload((entry) => entry.channelId === `D${IMPORTER}`);
    const workbook = XLSX.read(upload.bytes, { type: 'buffer' });
    expect(workbook.SheetNames).toEqual(['Users', 'Instructions']);
  });
});
