// User text in the import flow shows as typed (README "Importing users"): a vendor named `*Acme* <!channel>`, a
// file named `_x_.xlsx`, error values and a justification with mrkdwn in them are escaped with escapeMrkdwn in
// the blocks and in the notification `text` of the preview, the summary, the requester's messages and the
// wizard's Review, through signed Slack requests and the fake Web API; `<!channel>` never reaches Slack raw.
import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../src/slack/blocks/mrkdwn.ts';
import { CONTINUE_IMPORT_ACTION } from '../../src/slack/ids.ts';
import { fixturePath } from '../support/fixtures.ts';
import { createRequestThroughWizard } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';

const CHANNEL = 'C0ESCAPES1';
const IMPORTER = 'U0IMPORT1';
const VENDOR = '*Acme* <!channel>';
const FILE = '_x_.xlsx';
const JUSTIFICATION = '*urgent* _now_ ~never~ <!channel>';

/** The shared catalog plus a vendor whose name is mrkdwn and a mention. */
function catalogWithHostileVendor(): string {
  const catalog = readFileSync(fixturePath('catalog.yaml'), 'utf8');
  return catalog.replace(
    /^vendors:\n/m,
    `vendors:\n  - name: ${JSON.stringify(VENDOR)}\n    access_group: Vendor approvers\n    contract_start: 2026-01-01\n`,
  );
}

/** One line for the hostile vendor, one naming it with a suffix (an error that echoes the value). */
function workbook(): Buffer {
  const rows = [
    ['Vendor', 'Name', 'Email', 'Enabled'],
    [VENDOR, '~Bob~ _the_ *builder*', 'bob@builder.example', 'Yes'],
    [`${VENDOR} Ltd`, 'Eve <!here>', 'eve@evil.example', 'Yes'],
  ];
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

/** `text` as Slack gets it inside a JSON-encoded blocks payload. */
const inJson = (text: string) => JSON.stringify(text).slice(1, -1);

function expectEscaped(args: Record<string, unknown>, raw: string): void {
  const blocks = JSON.stringify(args.blocks ?? []);
  const text = typeof args.text === 'string' ? args.text : '';
  expect(blocks + text).not.toContain('<!channel>');
  expect(blocks + text).not.toContain('<!here>');
  expect(text).toContain(escapeMrkdwn(raw));
  if (args.blocks) expect(blocks).toContain(inJson(escapeMrkdwn(raw)));
}

async function start(): Promise<TestApp> {
  const app = await startTestApp();
  await seedCatalog(app.running.deps.db, catalogWithHostileVendor());
  return app;
}

describe('user text in the import flow', () => {
  it('escapes the vendor, the file name and the error values in the preview and the summary', async () => {
    const app = await start();
    const file = app.slackApi.addFile({ name: FILE, bytes: workbook(), user: IMPORTER, channels: [CHANNEL] });
    const shareTs = app.slackApi.shareTs(file.id, CHANNEL) as string;
    await app.slack.event({
      type: 'file_shared',
      file_id: file.id,
      user_id: IMPORTER,
      file: { id: file.id },
      channel_id: CHANNEL,
      event_ts: shareTs,
    });
    const preview = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === shareTs,
      15_000,
    );
    expectEscaped(preview.args, FILE);
    // The error line echoes the unknown vendor as typed, escaped.
    expect(JSON.stringify(preview.args.blocks)).toContain(inJson(escapeMrkdwn(`"${VENDOR} Ltd"`)));
    expect(String(preview.args.text)).toContain('2 lines');
    expect(String(preview.args.text)).toContain('1 will be created (1 active, 0 inactive)');

    const [record] = await app.running.deps.db.selectFrom('imports').select(['id']).execute();
    const previewTs = String((preview.response as { ts: string }).ts);
    await app.slack.interactive({
      type: 'block_actions',
      user: { id: IMPORTER, team_id: 'T0TEAM001' },
      container: { type: 'message', message_ts: previewTs, channel_id: CHANNEL },
      channel: { id: CHANNEL },
      response_url: app.slackApi.responseUrl('continue'),
      actions: [{ type: 'button', action_id: CONTINUE_IMPORT_ACTION, value: String(record?.id), action_ts: '1' }],
    });
    const modal = await app.slackApi.waitForCall('views.open');
    expect(JSON.stringify(modal.args.view)).not.toContain('<!channel>');
    expect(JSON.stringify(modal.args.view)).toContain(inJson(escapeMrkdwn(FILE)));
    const view = (modal.response as { view: { id: string; callback_id: string; private_metadata: string } }).view;
    await app.slack.interactive({
      type: 'view_submission',
      user: { id: IMPORTER, team_id: 'T0TEAM001' },
      view: { ...view, type: 'modal', state: { values: {} } },
    });
    const summary = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.thread_ts === shareTs && String(call.args.text).startsWith('Summary'),
      15_000,
    );
    expectEscaped(summary.args, FILE);
    expect(JSON.stringify(summary.args.blocks)).toContain(inJson(escapeMrkdwn(`"${VENDOR} Ltd"`)));
    const decided = await app.slackApi.waitForCall('chat.update', (call) => call.args.ts === previewTs);
    expectEscaped(decided.args, FILE);
    expect(app.slackApi.violations).toEqual([]);
  });

  it("escapes the file name and the justification in the wizard's Review", async () => {
    const app = await start();
    const request = await createRequestThroughWizard(app, {
      requester: 'U0REQ0001',
      channel: CHANNEL,
      file: FILE,
      bytes: workbook(),
      justification: JUSTIFICATION,
    });
    expect(request.reviewView).toContain(inJson(escapeMrkdwn(JUSTIFICATION)));
    expect(request.reviewView).toContain(inJson(escapeMrkdwn(FILE)));
    expect(request.reviewView).not.toContain('<!channel>');
  });
});
