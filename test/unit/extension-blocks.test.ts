// The views and words of `/domum extend`: within Slack's Block Kit limits, every user-written value escaped,
// ends said with their zone and UTC offset, and the modal's answers read back.
import { describe, expect, it } from 'vitest';
import {
  buildEndReminderMessage,
  buildExtendModal,
  buildExtensionApproveModal,
  buildExtensionCard,
  buildExtensionRejectModal,
  extensionOutcomeDmText,
  extensionOutcomeText,
  extensionRefusalText,
  parseExtendValues,
} from '../../src/slack/blocks/extension-blocks.ts';
import type { ExtensionCardInput, ExtensionOutcomeInput } from '../../src/usecases/notifier.ts';
import type { ExtensionPlan } from '../../src/usecases/extend-request.ts';
import * as ids from '../../src/slack/ids.ts';
import { checkMessage, checkView } from '../support/block-kit-limits.ts';

const TIME_ZONE = 'America/Sao_Paulo';
const previousEnd = new Date('2026-12-08T16:45:00.000Z');
const newEnd = new Date('2026-12-10T16:45:00.000Z');

const plan: ExtensionPlan = {
  ok: true,
  requestId: 7,
  code: 'W000007',
  fileName: '*people* <!channel>.xlsx',
  requesterUserId: 'U0REQ0001',
  limitation: {
    start: '2026-12-05T16:45:00.000Z',
    duration: { amount: 3, unit: 'days' },
    days: 'every_day',
    times: 'all_hours',
    sessions: 'unlimited',
    timeZone: TIME_ZONE,
  },
  startsAt: new Date('2026-12-05T16:45:00.000Z'),
  currentEnd: previousEnd,
  timeZone: TIME_ZONE,
  accesses: 1,
  contractEnd: null,
};

const card: ExtensionCardInput = {
  extensionId: 3,
  requestCode: 'W000007',
  askedBy: 'U0REQ0001',
  fileName: 'people.xlsx',
  accesses: 30,
  previousEnd,
  newEnd,
  timeZone: TIME_ZONE,
  reason: 'Migration <slipped> & *more*',
  statusWord: 'Awaiting approval',
  groups: [{ name: 'Vendor <approvers>', approvals: 0, required: 1 }],
  approvalDeadline: new Date('2026-12-06T16:45:00.000Z'),
  decisions: [],
  awaitingDecision: true,
  approvers: { userIds: ['U0APPR001'], usergroupIds: ['S0OPS'] },
};

const outcome: ExtensionOutcomeInput = {
  requestCode: 'W000007',
  fileName: 'people.xlsx',
  askedBy: 'U0ADMIN01',
  outcome: 'applied',
  needsApproval: true,
  previousEnd,
  newEnd,
  timeZone: TIME_ZONE,
  accesses: 1,
  reason: 'Needs <b>more</b>',
};

describe('the extend modal', () => {
  it('says the current end with its offset, escapes the file name and stays within the limits', () => {
    const view = buildExtendModal(plan);
    expect(checkView(view)).toEqual([]);
    const json = JSON.stringify(view.blocks);
    expect(json).toContain(
      'The access of W000007 (\u2060*people* &lt;!channel&gt;.xlsx) ends 8 Dec 2026 13:45 America/Sao_Paulo (UTC−03:00).',
    );
    expect(view.private_metadata).toBe(JSON.stringify({ code: 'W000007' }));
    expect(view.submit?.text).toBe('Extend');
  });

  it('reads a new end or a duration to add, and the reason', () => {
    const values = (newEndSeconds: number | null, amount: string | null, unit = 'days') => ({
      [ids.EXTEND_NEW_END_BLOCK]: { value: { selected_date_time: newEndSeconds } },
      [ids.EXTEND_DURATION_BLOCK]: { value: { value: amount } },
      [ids.EXTEND_UNIT_BLOCK]: { value: { selected_option: { value: unit } } },
      [ids.EXTEND_REASON_BLOCK]: { value: { value: 'why' } },
    });
    expect(parseExtendValues(values(1_796_000_000, null))).toEqual({
      ok: true,
      ask: { newEnd: new Date(1_796_000_000_000), add: null },
      reason: 'why',
    });
    expect(parseExtendValues(values(null, '2', 'months'))).toEqual({
      ok: true,
      ask: { newEnd: null, add: { amount: 2, unit: 'months' } },
      reason: 'why',
    });
    expect(parseExtendValues(values(null, '1.5'))).toEqual({
      ok: false,
      blockId: ids.EXTEND_DURATION_BLOCK,
      message: 'Add a whole number of at least 1',
    });
    expect(parseExtendValues(values(null, '3', 'weeks'))).toEqual({
      ok: false,
      blockId: ids.EXTEND_UNIT_BLOCK,
      message: 'Choose a unit',
    });
  });
});

describe('the extension card and its modals', () => {
  it('escapes the reason and group, names who may decide, and carries Approve and Reject while it waits', () => {
    const message = buildExtensionCard(card);
    expect(checkMessage(message)).toEqual([]);
    expect(message.text).toBe(
      'Extension of W000007 from <@U0REQ0001>: Awaiting approval · <@U0APPR001>, <!subteam^S0OPS>',
    );
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Migration &lt;slipped&gt; &amp; \u2060*more*');
    expect(json).toContain('Vendor &lt;approvers&gt;: 0 of 1 approval');
    expect(json).toContain('*New end:* 10 Dec 2026 13:45 America/Sao_Paulo (UTC−03:00)');
    expect(json).toContain(ids.EXTENSION_APPROVE_ACTION);
    const decided = buildExtensionCard({ ...card, statusWord: 'Rejected', awaitingDecision: false });
    expect(JSON.stringify(decided.blocks)).not.toContain(ids.EXTENSION_APPROVE_ACTION);
    expect(decided.text).toBe('Extension of W000007 from <@U0REQ0001>: Rejected');
  });

  it('builds the Approve and Reject modals on the extension', () => {
    const approve = buildExtensionApproveModal({ extensionId: 3, requestCode: 'W000007' });
    const reject = buildExtensionRejectModal({ extensionId: 3, requestCode: 'W000007' });
    expect(checkView(approve)).toEqual([]);
    expect(checkView(reject)).toEqual([]);
    expect(approve.private_metadata).toBe(JSON.stringify({ extensionId: 3 }));
    expect(reject.blocks.map((block) => block.block_id)).toContain(ids.REASON_BLOCK);
  });
});

describe('the words of an extension', () => {
  it('says how it ended in the thread and by DM, escaped', () => {
    expect(extensionOutcomeText({ ...outcome, needsApproval: false })).toBe(
      '<@U0ADMIN01> moved the end of W000007 earlier: its access now ends 10 Dec 2026 13:45 America/Sao_Paulo (UTC−03:00) instead of 8 Dec 2026 13:45 America/Sao_Paulo (UTC−03:00). Reason: "Needs &lt;b&gt;more&lt;/b&gt;".',
    );
    expect(extensionOutcomeDmText(outcome, 'requester')).toBe(
      '<@U0ADMIN01> changed the end of your request W000007: the access of W000007 (people.xlsx) now ends 10 Dec 2026 13:45 America/Sao_Paulo (UTC−03:00) instead of 8 Dec 2026 13:45 America/Sao_Paulo (UTC−03:00). Reason: "Needs &lt;b&gt;more&lt;/b&gt;".',
    );
    expect(
      extensionOutcomeDmText(
        { ...outcome, outcome: 'rejected', rejectedBy: { userId: 'U0APPR001', comment: '<no>' } },
        'asker',
      ),
    ).toContain('is rejected by <@U0APPR001>: "&lt;no&gt;".');
  });

  it('answers each refusal specifically', () => {
    expect(extensionRefusalText({ ok: false, reason: 'provisioning', code: 'W000007', statusWord: 'Processing' })).toBe(
      'W000007 is Processing: its accesses are still being created. Extend it once its Summary is in the thread.',
    );
    expect(
      extensionRefusalText({
        ok: false,
        reason: 'no-accesses',
        code: 'W000007',
        statusWord: 'Awaiting approval',
        status: 'awaiting_approval',
      }),
    ).toBe('W000007 is Awaiting approval: nobody has access yet, there is nothing to extend.');
    expect(extensionRefusalText({ ok: false, reason: 'nothing-in-force', code: 'W000007' })).toContain(
      'have all ended or were cancelled',
    );
  });

  it('puts an Extend button on the reminder, valued with the request code', () => {
    const message = buildEndReminderMessage({
      requestCode: 'W000007',
      fileName: 'people.xlsx',
      count: 1,
      endsAt: previousEnd,
      timeZone: TIME_ZONE,
      now: new Date('2026-12-07T18:00:00.000Z'),
    });
    expect(checkMessage(message)).toEqual([]);
    expect(message.text).toBe(
      'The access of W000007 (people.xlsx) ends tomorrow at 13:45 (8 Dec 2026, America/Sao_Paulo). Its link stops working then; Extend (or `/domum extend W000007`) gives it more time.',
    );
    expect(message.blocks.at(-1)).toEqual({
      type: 'actions',
      block_id: ids.EXTEND_ACTIONS_BLOCK,
      elements: [
        {
          type: 'button',
          action_id: ids.EXTEND_ACTION,
          text: { type: 'plain_text', text: 'Extend' },
          value: 'W000007',
        },
      ],
    });
  });
});
