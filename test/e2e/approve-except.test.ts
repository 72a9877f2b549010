// "Approve except…" (README "Importing users", Approval): an approver approves a request for all but some of its
// users, with a reason. With two approvals required, the excluded set is the union of both approvers'; the
// excluded users get no access and no email, and show as `excluded` (with who and why) in the summary, the
// results spreadsheet and `/domum status`; every exclusion is audited; bad input is refused under its field and
// changes nothing; once approved, no one can exclude any more.
import * as XLSX from 'xlsx';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APPROVE_EXCEPT_ACTION,
  APPROVE_EXCEPT_MODAL_CALLBACK,
  DECISION_TEXT_ACTION,
  EXCLUDED_USERS_BLOCK,
  EXCLUDED_USERS_SELECT_ACTION,
  REASON_BLOCK,
} from '../../src/slack/ids.ts';
import { createRequestThroughWizard, statusOf } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startSmtpCapture } from '../support/smtp-capture.ts';
import type { SmtpCapture } from '../support/smtp-capture.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const REQUESTER = 'U0REQ0001';
const APPROVER_A = 'U0APPR001';
const APPROVER_B = 'U0APPR002';
const CHANNEL = 'C0EXCEPT';

const captures: SmtpCapture[] = [];
afterEach(async () => {
  for (const capture of captures.splice(0)) await capture.close();
});

/** `count` active users: the first five of Acme Corp, the rest of Globex. User i is on spreadsheet line i + 2. */
function workbook(count: number): Buffer {
  const rows: string[][] = [['Vendor', 'Name', 'Email', 'Enabled']];
  for (let index = 0; index < count; index += 1) {
    const acme = index < 5;
    rows.push([
      acme ? 'Acme Corp' : 'Globex',
      `Person <b>${index}</b>`,
      acme ? `person.${index}@acme.example` : `person.${index}@globex.example`,
      'Yes',
    ]);
  }
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), 'Users');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

interface OpenedModal {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks: Array<{ block_id?: string; element?: { type: string; options?: Option[] } }>;
}
interface Option {
  value: string;
  text: { text: string };
}

async function setUp(
  users: number,
): Promise<{ app: TestApp; smtp: SmtpCapture; request: { id: number; code: string } }> {
  const smtp = await startSmtpCapture();
  captures.push(smtp);
  const app = await startTestApp({ env: { SMTP_URL: smtp.url, MAIL_RATE_PER_SECOND: '1000' } });
  await seedCatalog(app.running.deps.db);
  await app.running.deps.db.updateTable('access_groups').set({ approvals_required: 2 }).execute();
  const request = await createRequestThroughWizard(app, {
    requester: REQUESTER,
    channel: CHANNEL,
    file: 'people.xlsx',
    bytes: workbook(users),
  });
  await app.slackApi.waitForCall(
    'chat.postMessage',
    (call) => call.args.channel === CHANNEL && String(call.args.text).includes('Access request'),
    15_000,
  );
  // The users exist once the import ran: the test then reads them back by email.
  await waitFor(
    async () =>
      (await app.running.deps.db.selectFrom('imports').select('status').executeTakeFirstOrThrow()).status === 'done',
    { description: 'the import to finish', timeoutMs: 15_000 },
  );
  return { app, smtp, request };
}

/** Clicks "Approve except…" on the card as `user`, and returns the modal it opened. */
async function openApproveExcept(app: TestApp, requestId: number, user: string): Promise<OpenedModal> {
  const before = app.slackApi.callsTo('views.open').length;
  await clickApproveExcept(app, requestId, user, `open-${user}`);
  const calls = await app.slackApi.waitForCalls('views.open', before + 1);
  const view = calls[before]?.args.view as OpenedModal;
  expect(view.callback_id).toBe(APPROVE_EXCEPT_MODAL_CALLBACK);
  return { ...view, id: (calls[before]?.response as { view: { id: string } }).view.id };
}

function clickApproveExcept(app: TestApp, requestId: number, user: string, responseId: string) {
  return app.slack.interactive({
    type: 'block_actions',
    user: { id: user, team_id: 'T0TEAM001' },
    channel: { id: CHANNEL },
    container: { type: 'message', channel_id: CHANNEL, message_ts: '1' },
    response_url: app.slackApi.responseUrl(responseId),
    actions: [
      {
        type: 'button',
        action_id: APPROVE_EXCEPT_ACTION,
        block_id: 'request_decision',
        value: String(requestId),
        action_ts: '1',
      },
    ],
  });
}

/** The users select's options request (block_suggestion), as Slack sends it while `user` types `value`. */
async function suggest(app: TestApp, modal: OpenedModal, user: string, value: string): Promise<Option[]> {
  const response = await app.slack.interactive({
    type: 'block_suggestion',
    user: { id: user },
    action_id: EXCLUDED_USERS_SELECT_ACTION,
    block_id: EXCLUDED_USERS_BLOCK,
    value,
    view: { ...modal, type: 'modal' },
  });
  expect(response.durationMs).toBeLessThan(3_000);
  return (response.json() as { options: Option[] }).options;
}

/** Submits the "Approve except…" modal as `user` with these option values and reason. */
async function submitExcept(
  app: TestApp,
  modal: Pick<OpenedModal, 'id' | 'private_metadata'>,
  user: string,
  values: string[],
  reason: string,
): Promise<{ response_action: string; errors?: Record<string, string> }> {
  const response = await app.slack.interactive({
    type: 'view_submission',
    user: { id: user, team_id: 'T0TEAM001' },
    view: {
      id: modal.id,
      type: 'modal',
      callback_id: APPROVE_EXCEPT_MODAL_CALLBACK,
      private_metadata: modal.private_metadata,
      state: {
        values: {
          [EXCLUDED_USERS_BLOCK]: {
            [EXCLUDED_USERS_SELECT_ACTION]: {
              type: 'multi_static_select',
              selected_options: values.map((value) => ({ value, text: { type: 'plain_text', text: value } })),
            },
          },
          [REASON_BLOCK]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: reason } },
        },
      },
    },
  });
  expect(response.durationMs).toBeLessThan(3_000);
  return response.json() as { response_action: string; errors?: Record<string, string> };
}

function usersSelect(modal: OpenedModal) {
  return modal.blocks.find((block) => block.block_id === EXCLUDED_USERS_BLOCK)?.element;
}

/** The option of the user with this email. */
function optionOf(options: Option[], email: string): string {
  const option = options.find((candidate) => candidate.text.text.includes(email));
  if (!option) throw new Error(`no option for ${email}`);
  return option.value;
}

describe('Approve except…', () => {
  it('excludes the union of two approvers’ choices: no access and no email for them, shown everywhere', async () => {
    const { app, smtp, request } = await setUp(20);
    const db = app.running.deps.db;

    // A opens the modal: twenty users fit in a static select, each with name, email and vendor.
    const modalA = await openApproveExcept(app, request.id, APPROVER_A);
    const select = usersSelect(modalA);
    expect(select?.type).toBe('multi_static_select');
    const options = select?.options ?? [];
    expect(options).toHaveLength(20);
    expect(options[0]?.text.text).toBe('Person <b>0</b> · person.0@acme.example · Acme Corp');
    expect(JSON.stringify(modalA.blocks)).toContain(request.code);

    // The same users are searchable by name, email or vendor through the options endpoint.
    expect(await suggest(app, modalA, APPROVER_A, 'acme')).toHaveLength(5);
    expect((await suggest(app, modalA, APPROVER_A, 'person.7@GLOBEX')).map((option) => option.value)).toEqual([
      'line:9',
    ]);
    expect(await suggest(app, modalA, APPROVER_A, '<b>1')).toHaveLength(11);
    // Nobody else is shown anyone: not the requester, not a stranger.
    expect(await suggest(app, modalA, REQUESTER, '')).toEqual([]);
    expect(await suggest(app, modalA, 'U0STRANGER', 'acme')).toEqual([]);

    const p = (index: number) => optionOf(options, `person.${index}@`);
    // Bad input: a specific answer under the field, and nothing written.
    expect((await submitExcept(app, modalA, APPROVER_A, [], '  ')).errors).toEqual({
      [EXCLUDED_USERS_BLOCK]: 'Choose at least one user to exclude, or use Approve.',
      [REASON_BLOCK]: 'Give a reason to exclude these users.',
    });
    expect((await submitExcept(app, modalA, APPROVER_A, ['line:999'], 'gone')).errors).toEqual({
      [EXCLUDED_USERS_BLOCK]: expect.stringContaining('not among those') as unknown,
    });
    expect((await submitExcept(app, modalA, APPROVER_A, ['line:2; drop table'], 'gone')).errors).toHaveProperty(
      EXCLUDED_USERS_BLOCK,
    );
    expect(
      (
        await submitExcept(
          app,
          modalA,
          APPROVER_A,
          options.map((option) => option.value),
          'nobody',
        )
      ).errors,
    ).toEqual({ [EXCLUDED_USERS_BLOCK]: expect.stringContaining('use Reject instead') as unknown });
    expect((await submitExcept(app, modalA, REQUESTER, [p(1)], 'mine')).errors).toEqual({
      [REASON_BLOCK]: expect.stringContaining('your own request') as unknown,
    });
    expect(await db.selectFrom('excluded_users').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('approval_responses').selectAll().execute()).toEqual([]);

    // A excludes users 1 and 2: one approval of two, so the request still awaits approval.
    expect(await submitExcept(app, modalA, APPROVER_A, [p(1), p(2)], 'Left the company <!channel>')).toEqual({
      response_action: 'clear',
    });
    expect(await statusOf(app, request.id)).toBe('awaiting_approval');
    const reply = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes(`<@${APPROVER_A}> approved`),
      15_000,
    );
    expect(String(reply.args.text)).toBe(
      `<@${APPROVER_A}> approved ${request.code} (Vendor approvers) except 2 users: "Left the company &lt;!channel&gt;". Status: Awaiting approval.`,
    );
    await app.slackApi.waitForCall(
      'chat.update',
      (call) => JSON.stringify(call.args.blocks).includes('18 users to be given access · 2 excluded'),
      15_000,
    );

    // B cannot exclude the rest (with A's two, that would be everyone), then excludes users 2 and 3 (2 overlaps).
    const modalB = await openApproveExcept(app, request.id, APPROVER_B);
    const rest = options.map((option) => option.value).filter((value) => value !== p(1) && value !== p(2));
    expect((await submitExcept(app, modalB, APPROVER_B, rest, 'all of them')).errors).toHaveProperty(
      EXCLUDED_USERS_BLOCK,
    );
    expect(await submitExcept(app, modalB, APPROVER_B, [p(2), p(3)], 'No *contract* yet')).toEqual({
      response_action: 'clear',
    });

    // Provisioning: 17 users, two emails each; none for the three excluded.
    const summary = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => String(call.args.text).startsWith('Summary'),
      30_000,
    );
    expect(await statusOf(app, request.id)).toBe('completed');
    expect(smtp.messages).toHaveLength(34);
    const recipients = new Set(smtp.messages.map((message) => message.to[0]));
    expect(recipients.size).toBe(17);
    for (const index of [1, 2, 3]) expect(recipients.has(`person.${index}@acme.example`)).toBe(false);
    const accesses = await db
      .selectFrom('accesses as a')
      .innerJoin('third_party_users as u', 'u.id', 'a.user_id')
      .select('u.email')
      .execute();
    expect(accesses).toHaveLength(17);
    expect(accesses.map((access) => access.email)).not.toContain('person.2@acme.example');

    // The summary counts them apart (the counts still add up to Lines) and says who excluded each, and why.
    const countFields = (summary.args.blocks as Array<{ fields?: Array<{ text: string }> }>).flatMap(
      (block) => block.fields?.map((field) => field.text) ?? [],
    );
    expect(countFields).toEqual([
      'Lines: 20',
      'Created: 17',
      'Created inactive: 0',
      'Existing: 0',
      'Excluded: 3',
      'Errors: 0',
      'Accesses created: 17',
      'Emails sent: 34',
      'Status: Completed',
    ]);
    const summaryText = JSON.stringify(summary.args.blocks);
    expect(summaryText).toContain('Excluded by the approvers: 3');
    expect(summaryText).toContain(
      `line 3 · Person &lt;b&gt;1&lt;/b&gt; · person.1@acme.example · Acme Corp — excluded by <@${APPROVER_A}>: \\"Left the company &lt;!channel&gt;\\"`,
    );
    expect(summaryText).toContain(
      `line 4 · Person &lt;b&gt;2&lt;/b&gt; · person.2@acme.example · Acme Corp — excluded by <@${APPROVER_A}>: \\"Left the company &lt;!channel&gt;\\"; <@${APPROVER_B}>: \\"No \u2060*contract* yet\\"`,
    );
    expect(String(summary.args.text)).toContain('Excluded: 3');

    // The results spreadsheet: `excluded`, no access id, and who and why in the Errors column.
    const upload = await app.slackApi.waitForUpload((entry) => entry.filename.endsWith('-results.xlsx'), 15_000);
    const sheet = XLSX.read(upload.bytes, { type: 'buffer' });
    const rows = XLSX.utils.sheet_to_json<Record<string, string | number>>(
      sheet.Sheets[sheet.SheetNames[0] as string] as XLSX.WorkSheet,
    );
    const excludedRows = rows.filter((row) => row['Outcome'] === 'excluded');
    expect(excludedRows.map((row) => row['Line'])).toEqual([3, 4, 5]);
    expect(excludedRows.every((row) => row['Access id'] === undefined)).toBe(true);
    expect(excludedRows[1]?.['Errors']).toBe(
      `excluded by ${APPROVER_A}: Left the company <!channel>; excluded by ${APPROVER_B}: No *contract* yet`,
    );
    expect(rows.filter((row) => row['Outcome'] === 'created')).toHaveLength(17);

    // The requester's DM says how many were left out.
    const dm = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('is now Approved'),
      15_000,
    );
    expect(String(dm.args.text)).toContain('The approvers excluded 3 users, who get no access');

    // Every exclusion is an audit event: A's two and B's two (user 2 by both).
    const audit = await db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'details'])
      .where('target', '=', request.code)
      .where('action', '=', 'request.user_excluded')
      .orderBy('id')
      .execute();
    expect(audit.map((event) => [event.actor, (event.details as { line: number }).line])).toEqual([
      [APPROVER_A, 3],
      [APPROVER_A, 4],
      [APPROVER_B, 4],
      [APPROVER_B, 5],
    ]);
    expect(audit[3]?.details).toMatchObject({
      email: 'person.3@acme.example',
      name: 'Person <b>3</b>',
      vendor: 'Acme Corp',
      reason: 'No *contract* yet',
    });

    // `/domum status W…` lists them, with who and why.
    const before = app.slackApi.callsTo('views.open').length;
    await app.slack.command({ text: `status ${request.code}`, userId: REQUESTER, channelId: CHANNEL });
    const detail = JSON.stringify((await app.slackApi.waitForCalls('views.open', before + 1))[before]?.args.view);
    expect(detail).toContain('*Excluded: 3* · no access, no email');
    expect(detail).toContain(
      `line 5 · Person &lt;b&gt;3&lt;/b&gt; · person.3@acme.example · Acme Corp — excluded by <@${APPROVER_B}>`,
    );
    expect(detail).toContain(`<@${APPROVER_A}> approved except 2 users`);
    const importCode = (await db.selectFrom('imports').select('code').executeTakeFirstOrThrow()).code;
    const opened = app.slackApi.callsTo('views.open').length;
    await app.slack.command({ text: `status ${importCode}`, userId: REQUESTER, channelId: CHANNEL });
    const importDetail = JSON.stringify((await app.slackApi.waitForCalls('views.open', opened + 1))[opened]?.args.view);
    expect(importDetail).toContain(
      'Lines: 20 · Created: 17 · Created inactive: 0 · Existing: 0 · Excluded: 3 · Errors: 0',
    );

    // Too late now: the button and a replayed submission both say so, and change nothing.
    await clickApproveExcept(app, request.id, APPROVER_B, 'late');
    expect(JSON.stringify((await app.slackApi.waitForResponse((response) => response.id === 'late')).body)).toContain(
      `Too late to exclude users from ${request.code}`,
    );
    expect((await submitExcept(app, modalB, APPROVER_B, [p(4)], 'one more')).errors).toEqual({
      [REASON_BLOCK]: expect.stringContaining('Too late to exclude users') as unknown,
    });
    expect(await db.selectFrom('excluded_users').selectAll().execute()).toHaveLength(4);
    expect(app.slackApi.violations).toEqual([]);
  }, 120_000);

  it('never lets two approvers at the same instant exclude every user between them', async () => {
    const { app, request } = await setUp(20);
    const modalA = await openApproveExcept(app, request.id, APPROVER_A);
    const values = (usersSelect(modalA)?.options ?? []).map((option) => option.value);
    const [first, second] = await Promise.all([
      submitExcept(app, modalA, APPROVER_A, values.slice(0, 10), 'first half'),
      submitExcept(app, modalA, APPROVER_B, values.slice(10), 'second half'),
    ]);
    const answers = [first, second];
    expect(answers.filter((answer) => answer.response_action === 'clear')).toHaveLength(1);
    expect(answers.find((answer) => answer.response_action === 'errors')?.errors).toEqual({
      [EXCLUDED_USERS_BLOCK]: expect.stringContaining('use Reject instead') as unknown,
    });
    const db = app.running.deps.db;
    expect(await db.selectFrom('excluded_users').selectAll().execute()).toHaveLength(10);
    expect(await db.selectFrom('approval_responses').selectAll().execute()).toHaveLength(1);
    expect(await statusOf(app, request.id)).toBe('awaiting_approval');
  }, 120_000);

  it('searches a large request’s users with an external select', async () => {
    const { app, request } = await setUp(130);
    const modal = await openApproveExcept(app, request.id, APPROVER_A);
    const select = usersSelect(modal);
    expect(select?.type).toBe('multi_external_select');
    expect(select?.options).toBeUndefined();
    // At most 100 options at once; typing narrows them.
    expect(await suggest(app, modal, APPROVER_A, '')).toHaveLength(100);
    expect((await suggest(app, modal, APPROVER_A, 'person <b>12')).map((option) => option.text.text)).toEqual([
      'Person <b>12</b> · person.12@globex.example · Globex',
      ...Array.from(
        { length: 10 },
        (_, digit) => `Person <b>12${digit}</b> · person.12${digit}@globex.example · Globex`,
      ),
    ]);
    const chosen = await suggest(app, modal, APPROVER_A, 'person.120@');
    expect(await submitExcept(app, modal, APPROVER_A, [chosen[0]?.value ?? ''], 'Duplicate account')).toEqual({
      response_action: 'clear',
    });
    const excluded = await app.running.deps.db.selectFrom('excluded_users').selectAll().execute();
    expect(excluded).toEqual([
      expect.objectContaining({ line_number: 122, excluded_by: APPROVER_A, reason: 'Duplicate account' }),
    ]);
    await app.slackApi.waitForCall(
      'chat.update',
      (call) => JSON.stringify(call.args.blocks).includes('129 users to be given access · 1 excluded'),
      15_000,
    );
    expect(app.slackApi.violations).toEqual([]);
  }, 120_000);
});
