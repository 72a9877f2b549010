// Approval in the thread (README "Importing users"): who may decide, the thresholds, the card updated in place, the
// thread replies and the requester's DMs, and decisions that arrive at the same instant.
import { describe, expect, it } from 'vitest';
import {
  APPROVE_ACTION,
  APPROVE_MODAL_CALLBACK,
  CARD_MENU_ACTION,
  COMMENT_BLOCK,
  REASON_BLOCK,
  REJECT_ACTION,
  REJECT_MODAL_CALLBACK,
} from '../../src/slack/ids.ts';
import { createRequestThroughWizard, submitDecision as decide, statusOf } from '../support/request-driver.ts';
import { seedCatalog } from '../support/seed-catalog.ts';
import { startTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { waitFor } from '../support/wait-for.ts';

const REQUESTER = 'U0REQ0001';
const CHANNEL = 'C0APPROVAL';

async function appWithRequest(
  approvalsRequired = 1,
): Promise<{ app: TestApp; request: { id: number; code: string }; cardTs: string }> {
  const app = await startTestApp();
  await seedCatalog(app.running.deps.db);
  await app.running.deps.db.updateTable('access_groups').set({ approvals_required: approvalsRequired }).execute();
  const request = await createRequestThroughWizard(app, { requester: REQUESTER, channel: CHANNEL });
  const card = await app.slackApi.waitForCall('chat.postMessage', (call) => call.args.channel === CHANNEL, 15_000);
  expect(JSON.stringify(card.args.blocks)).toContain(APPROVE_ACTION);
  return { app, request, cardTs: String((card.response as { ts: string }).ts) };
}

function click(app: TestApp, action: string, requestId: number, user: string, responseId: string) {
  return app.slack.interactive({
    type: 'block_actions',
    user: { id: user, team_id: 'T0TEAM001' },
    channel: { id: CHANNEL },
    container: { type: 'message', channel_id: CHANNEL, message_ts: '1' },
    response_url: app.slackApi.responseUrl(responseId),
    actions: [
      { type: 'button', action_id: action, block_id: 'request_decision', value: String(requestId), action_ts: '1' },
    ],
  });
}

/** Approved, or already past it: provisioning starts at once and moves an approved request on. */
const APPROVED_OR_LATER = ['approved', 'processing', 'completed', 'completed_with_errors'];
const isApproved = async (app: TestApp, id: number) => APPROVED_OR_LATER.includes(await statusOf(app, id));

describe('deciding on a request', () => {
  it('approves on a listed approver, updates the card, replies in the thread and tells the requester', async () => {
    const { app, request, cardTs } = await appWithRequest();
    await click(app, APPROVE_ACTION, request.id, 'U0APPR001', 'approver');
    const modal = await app.slackApi.waitForCall(
      'views.open',
      (call) => (call.args.view as { callback_id?: string }).callback_id === APPROVE_MODAL_CALLBACK,
    );
    expect(JSON.stringify(modal.args.view)).toContain(request.code);
    const ack = await decide(app, APPROVE_MODAL_CALLBACK, request.id, 'U0APPR001', 'Looks fine');
    expect(ack.json()).toEqual({ response_action: 'clear' });
    await waitFor(() => isApproved(app, request.id), { description: 'approved' });
    // The card loses its buttons (its status may already read Processing: provisioning starts at once).
    const update = await app.slackApi.waitForCall(
      'chat.update',
      (call) => call.args.ts === cardTs && !JSON.stringify(call.args.blocks).includes(APPROVE_ACTION),
      15_000,
    );
    expect(JSON.stringify(update.args.blocks)).toContain('Looks fine');
    const reply = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === CHANNEL && String(call.args.text).includes('approved'),
    );
    expect(String(reply.args.text)).toContain('<@U0APPR001> approved');
    const dm = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('is now Approved'),
    );
    expect(String(dm.args.text)).toContain(request.code);
    const audit = await app.running.deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('target', '=', request.code)
      .execute();
    expect(audit.map((event) => event.action)).toContain('request.approved');
    // A click after the decision is told so, privately.
    await click(app, APPROVE_ACTION, request.id, 'U0APPR002', 'late');
    expect(JSON.stringify((await app.slackApi.waitForResponse((response) => response.id === 'late')).body)).toContain(
      'already decided',
    );
    expect(app.slackApi.violations).toEqual([]);
  }, 60_000);

  it('refuses the requester and strangers privately, changing nothing', async () => {
    const { app, request } = await appWithRequest();
    await click(app, APPROVE_ACTION, request.id, REQUESTER, 'own');
    expect(JSON.stringify((await app.slackApi.waitForResponse((response) => response.id === 'own')).body)).toContain(
      'your own request',
    );
    await click(app, REJECT_ACTION, request.id, 'U0STRANGER', 'stranger');
    expect(
      JSON.stringify((await app.slackApi.waitForResponse((response) => response.id === 'stranger')).body),
    ).toContain('only approvers');
    // Replaying the modal submission does not help either.
    const replay = await decide(app, APPROVE_MODAL_CALLBACK, request.id, REQUESTER, 'me');
    expect((replay.json() as { response_action: string }).response_action).toBe('errors');
    expect(await statusOf(app, request.id)).toBe('awaiting_approval');
    expect(await app.running.deps.db.selectFrom('approval_responses').selectAll().execute()).toEqual([]);
  }, 60_000);

  it('keeps a group needing two approvals pending after one, and rejects on a rejection with a reason', async () => {
    const { app, request, cardTs } = await appWithRequest(2);
    await decide(app, APPROVE_MODAL_CALLBACK, request.id, 'U0APPR001', '');
    const progress = await app.slackApi.waitForCall('chat.update', (call) => call.args.ts === cardTs, 15_000);
    expect(JSON.stringify(progress.args.blocks)).toContain('1 of 2 approvals');
    expect(JSON.stringify(progress.args.blocks)).toContain(APPROVE_ACTION);
    expect(await statusOf(app, request.id)).toBe('awaiting_approval');
    const noReason = await decide(app, REJECT_MODAL_CALLBACK, request.id, 'U0APPR002', '   ');
    expect((noReason.json() as { errors: Record<string, string> }).errors).toHaveProperty(REASON_BLOCK);
    await decide(app, REJECT_MODAL_CALLBACK, request.id, 'U0APPR002', 'Not during the freeze');
    await waitFor(async () => (await statusOf(app, request.id)) === 'rejected', { description: 'rejected' });
    const dm = await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('Rejected'),
      15_000,
    );
    expect(String(dm.args.text)).toContain('Not during the freeze');
  }, 60_000);

  it('lets the requester cancel from the card menu, and nobody else', async () => {
    const { app, request, cardTs } = await appWithRequest();
    const menu = (user: string, responseId: string) =>
      app.slack.interactive({
        type: 'block_actions',
        user: { id: user, team_id: 'T0TEAM001' },
        channel: { id: CHANNEL },
        container: { type: 'message', channel_id: CHANNEL, message_ts: cardTs },
        response_url: app.slackApi.responseUrl(responseId),
        actions: [
          {
            type: 'overflow',
            action_id: CARD_MENU_ACTION,
            block_id: 'request_decision',
            selected_option: { value: `cancel:${request.id}` },
            action_ts: '1',
          },
        ],
      });
    await menu('U0APPR001', 'approver-cancel');
    expect(
      JSON.stringify((await app.slackApi.waitForResponse((response) => response.id === 'approver-cancel')).body),
    ).toContain('Only the requester or an admin');
    expect(await statusOf(app, request.id)).toBe('awaiting_approval');
    await menu(REQUESTER, 'requester-cancel');
    await waitFor(async () => (await statusOf(app, request.id)) === 'cancelled', { description: 'cancelled' });
    const update = await app.slackApi.waitForCall(
      'chat.update',
      (call) => call.args.ts === cardTs && JSON.stringify(call.args.blocks).includes('Cancelled'),
      15_000,
    );
    expect(JSON.stringify(update.args.blocks)).not.toContain(APPROVE_ACTION);
    await app.slackApi.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === `D${REQUESTER}` && String(call.args.text).includes('is now Cancelled'),
    );
  }, 60_000);

  it('counts twenty concurrent approvals by one approver once, and settles an Approve and a Reject at the same instant consistently', async () => {
    const { app, request, cardTs } = await appWithRequest(2);
    await Promise.all(
      Array.from({ length: 20 }, () => decide(app, APPROVE_MODAL_CALLBACK, request.id, 'U0APPR001', 'ok')),
    );
    expect(await app.running.deps.db.selectFrom('approval_responses').selectAll().execute()).toHaveLength(1);
    await Promise.all([
      decide(app, APPROVE_MODAL_CALLBACK, request.id, 'U0APPR002', 'yes'),
      decide(app, REJECT_MODAL_CALLBACK, request.id, 'U0APPR002', 'no'),
    ]);
    const responses = await app.running.deps.db
      .selectFrom('approval_responses')
      .select(['approver_user_id', 'decision'])
      .execute();
    expect(responses.filter((response) => response.approver_user_id === 'U0APPR002')).toHaveLength(1);
    const rejected = responses.some((response) => response.decision === 'reject');
    if (rejected) expect(await statusOf(app, request.id)).toBe('rejected');
    else expect(await isApproved(app, request.id)).toBe(true);
    const word = rejected ? 'Rejected' : 'Approved';
    const final = await app.slackApi.waitForCall(
      'chat.update',
      (call) => call.args.ts === cardTs && !JSON.stringify(call.args.blocks).includes(APPROVE_ACTION),
      15_000,
    );
    if (word === 'Rejected') expect(JSON.stringify(final.args.blocks)).toContain('Rejected');
  }, 60_000);

  it('reads an approver user group from Slack at each decision: someone removed from it cannot decide any more', async () => {
    const { app, request } = await appWithRequest();
    await app.running.deps.db
      .updateTable('access_groups')
      .set({ approver_user_ids: [], approver_usergroup_id: 'S0APPROVE1' })
      .execute();
    app.slackApi.setUsergroup('S0APPROVE1', ['U0GROUP01', 'U0GROUP02']);
    // Both members open a decision modal: their membership has been read (and, where it is shown, cached).
    await click(app, APPROVE_ACTION, request.id, 'U0GROUP01', 'member-approve');
    await click(app, REJECT_ACTION, request.id, 'U0GROUP02', 'member-reject');
    await app.slackApi.waitForCalls('views.open', 2, (call) =>
      [APPROVE_MODAL_CALLBACK, REJECT_MODAL_CALLBACK].includes(
        (call.args.view as { callback_id?: string }).callback_id ?? '',
      ),
    );
    // U0GROUP01 leaves the group in Slack while their modal is open.
    app.slackApi.setUsergroup('S0APPROVE1', ['U0GROUP02']);
    const refused = await decide(app, APPROVE_MODAL_CALLBACK, request.id, 'U0GROUP01', 'ok');
    expect((refused.json() as { response_action: string; errors: Record<string, string> }).errors).toEqual({
      [COMMENT_BLOCK]: expect.stringContaining('only approvers') as unknown,
    });
    await click(app, APPROVE_ACTION, request.id, 'U0GROUP01', 'removed-click');
    expect(
      JSON.stringify((await app.slackApi.waitForResponse((response) => response.id === 'removed-click')).body),
    ).toContain('only approvers');
    expect(await statusOf(app, request.id)).toBe('awaiting_approval');
    expect(await app.running.deps.db.selectFrom('approval_responses').selectAll().execute()).toEqual([]);
    // A member still in the group decides.
    const rejected = await decide(app, REJECT_MODAL_CALLBACK, request.id, 'U0GROUP02', 'Not this week');
    expect(rejected.json()).toEqual({ response_action: 'clear' });
    await waitFor(async () => (await statusOf(app, request.id)) === 'rejected', { description: 'rejected' });
  }, 60_000);

  it('on a free workspace (no user groups) counts only the listed approvers', async () => {
    const { app, request } = await appWithRequest();
    await app.running.deps.db.updateTable('access_groups').set({ approver_usergroup_id: 'S0APPROVE1' }).execute();
    app.slackApi.setUsergroup('S0APPROVE1', ['U0GROUP01']);
    app.slackApi.setHandler('usergroups.users.list', () => ({ ok: false, error: 'plan_upgrade_required' }));
    const refused = await decide(app, APPROVE_MODAL_CALLBACK, request.id, 'U0GROUP01', 'ok');
    expect((refused.json() as { response_action: string }).response_action).toBe('errors');
    expect(app.slackApi.callsTo('usergroups.users.list').length).toBeGreaterThan(0);
    const approved = await decide(app, APPROVE_MODAL_CALLBACK, request.id, 'U0APPR001', 'ok');
    expect(approved.json()).toEqual({ response_action: 'clear' });
    await waitFor(() => isApproved(app, request.id), { description: 'approved' });
  }, 60_000);
});
