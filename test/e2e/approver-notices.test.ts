// Approvers on their first day (README "Approval"): every approver who can decide a request — listed, or a member
// of its Slack user group — gets one direct message when the card is posted, never the requester; App Home shows
// what they decide on; the Approve modal repeats it in one line; the card names the vendors, the schedule and the
// deadline, keeps its status word current to the end, and a vendor or file named `*Acme* <!channel>` shows as
// typed. Driven by signed Slack requests against the fake Web API.
import { readFileSync } from 'node:fs';
import * as XLSX from 'xlsx';
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn } from '../../src/slack/blocks/mrkdwn.ts';
import { APPROVE_ACTION, APPROVE_MODAL_CALLBACK, CARD_MENU_ACTION } from '../../src/slack/ids.ts';
import type { SlackApiCall } from '../support/fake-slack-api.ts';
import { fixturePath } from '../support/fixtures.ts';
import { createRequestThroughWizard, statusOf, submitDecision } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const REQUESTER = 'U0REQ0001';
const LISTED = 'U0APPR001';
const MEMBER = 'U0GROUP01';
const GROUP = 'S0APPROVE1';
const CHANNEL = 'C0NOTICES1';
const VENDOR = '*Acme* <!channel>';
const FILE = '*Acme* <!channel>.xlsx';
const JUSTIFICATION = 'Quarterly patching of the *billing* database';

/** The shared catalog with a user group of approvers beside the listed ones, and a vendor named in mrkdwn. */
function catalog(): string {
  return readFileSync(fixturePath('catalog.yaml'), 'utf8')
    .replace(/^(\s+approvers: \[U0APPR001, U0APPR002\]\n)/m, `$1    approver_usergroup: ${GROUP}\n`)
    .replace(
      /^vendors:\n/m,
      `vendors:\n  - name: ${JSON.stringify(VENDOR)}\n    access_group: Vendor approvers\n    contract_start: 2026-01-01\n`,
    );
}

function workbook(): Buffer {
  const rows = [
    ['Vendor', 'Name', 'Email', 'Enabled'],
    [VENDOR, 'Bob Builder', 'bob@builder.example', 'Yes'],
    ['Acme Corp', 'Ann Smith', 'ann.smith@acme.example', 'Yes'],
  ];
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

/** `text` as Slack gets it inside a JSON-encoded payload. */
const inJson = (text: string) => JSON.stringify(text).slice(1, -1);

function expectShownAsTyped(payload: unknown, raw: string): void {
  const json = JSON.stringify(payload);
  expect(json).not.toContain('<!channel>');
  expect(json).toContain(inJson(escapeMrkdwn(raw)));
}

const noticesTo = (app: TestApp, user: string) =>
  app.slackApi
    .callsTo('chat.postMessage')
    .filter((call) => call.args.channel === `D${user}` && String(call.args.text).includes('asks you to approve'));

async function startWithRequest() {
  const app = await startTestApp({
    // The group's members, as Slack lists them; the requester is one of them and must not be asked.
    prepareSlackApi: (api) => api.setUsergroup(GROUP, [MEMBER, REQUESTER]),
  });
  await seedCatalog(app.running.deps.db, catalog());
  const request = await createRequestThroughWizard(app, {
    requester: REQUESTER,
    channel: CHANNEL,
    file: FILE,
    bytes: workbook(),
    justification: JUSTIFICATION,
  });
  const card = await app.slackApi.waitForCall('chat.postMessage', (call) => call.args.channel === CHANNEL, 15_000);
  return { app, request, card, cardTs: String((card.response as { ts: string }).ts) };
}

describe('approvers told and shown what they decide', () => {
  it('sends one direct message to each listed and user-group approver, never to the requester', async () => {
    const { app, request, card, cardTs } = await startWithRequest();
    const permalink = `https://domum-test.slack.com/archives/${CHANNEL}/p${cardTs.replace('.', '')}`;
    for (const approver of [LISTED, 'U0APPR002', MEMBER]) {
      const notice = await app.slackApi.waitForCall(
        'chat.postMessage',
        (call) => call.args.channel === `D${approver}` && String(call.args.text).includes('asks you to approve'),
        15_000,
      );
      const text = String(notice.args.text);
      expect(text).toContain(`<${permalink}|${request.code}>`);
      expect(text).toContain(`<@${REQUESTER}> asks you to approve`);
      expect(text).toContain('2 users');
      expect(text).toContain(escapeMrkdwn(FILE));
      expect(text).toContain(escapeMrkdwn(VENDOR));
      expect(text).toContain('Acme Corp');
      expect(text).toMatch(/Decide by <!date\^\d+\^[^|]+\|[^>]+>/);
      expectShownAsTyped(notice.args, VENDOR);
    }
    // The card: vendors, schedule with its time zone, the deadline; user text as typed.
    const cardJson = JSON.stringify(card.args.blocks);
    expect(cardJson).toContain('*Vendors:*');
    expect(cardJson).toMatch(/\*Schedule:\* from .+ to .+/);
    expect(cardJson).toContain('*Decide by:* <!date^');
    expectShownAsTyped(card.args, VENDOR);
    expectShownAsTyped(card.args, FILE);
    expect(String(card.args.text)).not.toContain('<!channel>');

    // Told once each, also when the card job runs again; the requester never.
    await waitFor(
      async () => (await app.running.deps.db.selectFrom('approver_notices').select('user_id').execute()).length === 3,
      { description: 'three approver notices recorded' },
    );
    const recorded = await app.running.deps.db.selectFrom('approver_notices').select('user_id').execute();
    expect(recorded.map((row) => row.user_id).sort()).toEqual([LISTED, 'U0APPR002', MEMBER].sort());
    expect(noticesTo(app, REQUESTER)).toEqual([]);
    for (const approver of [LISTED, 'U0APPR002', MEMBER]) expect(noticesTo(app, approver)).toHaveLength(1);
    expect(await statusOf(app, request.id)).toBe('awaiting_approval');
    expect(app.slackApi.violations).toEqual([]);
  }, 90_000);

  it("shows the request on the approver's App Home and repeats it in the Approve modal", async () => {
    const { app, request } = await startWithRequest();
    await app.slack.event({ type: 'app_home_opened', user: MEMBER, channel: 'D0HOME0001', tab: 'home' });
    const published = await app.slackApi.waitForCall('views.publish', (call) => call.args.user_id === MEMBER);
    const home = JSON.stringify(published.args.view);
    expect(home).toContain(request.code);
    expect(home).toContain(inJson(`*Justification:* ${escapeMrkdwn(JUSTIFICATION)}`));
    expect(home).toContain('*Vendors:*');
    expectShownAsTyped(published.args.view, VENDOR);
    expect(home).toContain('db-prod-01');
    expect(home).toMatch(/\*Credentials \(1\):\*/);
    expect(home).toMatch(/\*Schedule:\*[^"]*from [^"]+ to /);
    expect(home).toContain('*Decide by:* <!date^');
    expect(home).toContain(APPROVE_ACTION);
    // Only an admin or the requester may cancel: an approver's Home offers no Cancel menu.
    expect(home).not.toContain(CARD_MENU_ACTION);

    const before = app.slackApi.callsTo('views.open').length;
    await app.slack.interactive({
      type: 'block_actions',
      user: { id: MEMBER, team_id: 'T0TEAM001' },
      container: { type: 'view', view_id: 'VHOME' },
      view: { id: 'VHOME', type: 'home' },
      trigger_id: 'trigger-home',
      actions: [
        { type: 'button', action_id: APPROVE_ACTION, block_id: 'x', value: String(request.id), action_ts: '1' },
      ],
    });
    const [modal] = (await app.slackApi.waitForCalls('views.open', before + 1)).slice(before);
    const view = JSON.stringify(modal?.args.view);
    expect(view).toContain(APPROVE_MODAL_CALLBACK);
    expect(view).toMatch(/2 users of [^"]*Acme Corp[^"]* · from .+ to /);
    expectShownAsTyped(modal?.args.view, VENDOR);
    expect(app.slackApi.violations).toEqual([]);
  }, 90_000);

  it('keeps the card status word current to Completed, replying in the thread before Processing', async () => {
    const { app, request, card, cardTs } = await startWithRequest();
    expect(String(card.args.text)).toMatch(/: Awaiting approval$/);
    expect((await submitDecision(app, APPROVE_MODAL_CALLBACK, request.id, LISTED, 'ok')).json()).toEqual({
      response_action: 'clear',
    });
    await waitFor(async () => (await statusOf(app, request.id)) === 'completed', {
      description: 'the request to complete',
      timeoutMs: 30_000,
    });
    const completed = await app.slackApi.waitForCall(
      'chat.update',
      (call) => call.args.ts === cardTs && String(call.args.text).endsWith(': Completed'),
      15_000,
    );
    expect(JSON.stringify(completed.args.blocks)).toContain('Completed');
    const words: string[] = [];
    for (const call of app.slackApi.callsTo('chat.update').filter((update) => update.args.ts === cardTs)) {
      const word = String(call.args.text).replace(/^.*: /, '');
      if (words.at(-1) !== word) words.push(word);
    }
    expect(words).toEqual(['Approved', 'Processing', 'Completed']);

    const calls = app.slackApi.calls;
    const index = (predicate: (call: SlackApiCall) => boolean) => calls.findIndex(predicate);
    const reply = index(
      (call) =>
        call.method === 'chat.postMessage' &&
        call.args.thread_ts === cardTs &&
        String(call.args.text).includes(`<@${LISTED}> approved`),
    );
    const processing = index(
      (call) => call.method === 'chat.postMessage' && String(call.args.text).startsWith('Processing'),
    );
    expect(reply).toBeGreaterThanOrEqual(0);
    expect(processing).toBeGreaterThan(reply);
    expect(app.slackApi.violations).toEqual([]);
  }, 90_000);
});
