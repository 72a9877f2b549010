import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import * as ids from '../../src/slack/ids.ts';
import {
  buildApproveExceptModal,
  buildApproveModal,
  buildRejectModal,
  parseExcludedUserValues,
  decisionReplyText,
  parseDecisionMetadata,
  parseDecisionText,
  statusChangeDmText,
} from '../../src/slack/blocks/approval-blocks.ts';
import { buildRequestCard } from '../../src/slack/blocks/request-card.ts';
import type { DecisionInWords, RequestCardInput } from '../../src/slack/blocks/request-card.ts';
import { checkMessage, checkView } from '../support/block-kit-limits.ts';

const card: RequestCardInput = {
  code: 'W000001',
  requesterId: 'U0REQ',
  fileName: 'users.xlsx',
  counts: { users: 3 },
  justification: 'Quarterly patching',
  reasonName: 'Maintenance',
  governanceCode: null,
  devices: ['db-prod-01'],
  grants: [{ label: 'postgres @ db-prod-01', startSession: true, viewPassword: false }],
  limitationText: 'No limitation',
  vendors: [{ name: '*Acme* <!channel>', users: 3 }],
  scheduleText: 'from 7 Dec 2026 09:00 to 8 Dec 2026 09:00 UTC',
  approvalDeadline: new Date(Date.UTC(2026, 11, 5, 14, 0)),
  statusWord: 'Awaiting approval',
  groups: [{ name: 'Vendor approvers', approvals: 1, required: 2 }],
};

const decision = (index: number, over: Partial<DecisionInWords> = {}): DecisionInWords => ({
  approverId: `U0APP${index}`,
  decision: 'approve',
  comment: null,
  at: new Date(Date.UTC(2026, 10, 25, 14, index)),
  groupName: 'Vendor approvers',
  ...over,
});

type Button = { type: string; action_id: string; text: { text: string }; value: string; style?: string };

function actionsOf(blocks: KnownBlock[]): Button[] {
  return blocks
    .filter((block) => block.type === 'actions')
    .flatMap((block) => (block as unknown as { elements: Button[] }).elements);
}

function allText(payload: { blocks?: unknown }): string {
  return JSON.stringify(payload.blocks);
}

describe('request card with approvals', () => {
  it('carries Approve and Reject while awaiting a decision', () => {
    const message = buildRequestCard({ ...card, requestId: 42, awaitingDecision: true });
    expect(checkMessage(message)).toEqual([]);
    const buttons = actionsOf(message.blocks);
    expect(buttons).toEqual([
      expect.objectContaining({
        action_id: ids.APPROVE_ACTION,
        text: expect.objectContaining({ text: 'Approve' }),
        style: 'primary',
        value: '42',
      }),
      expect.objectContaining({
        action_id: ids.APPROVE_EXCEPT_ACTION,
        text: expect.objectContaining({ text: 'Approve except…' }),
        value: '42',
      }),
      expect.objectContaining({
        action_id: ids.REJECT_ACTION,
        text: expect.objectContaining({ text: 'Reject' }),
        style: 'danger',
        value: '42',
      }),
      expect.objectContaining({
        type: 'overflow',
        action_id: ids.CARD_MENU_ACTION,
        options: [expect.objectContaining({ value: 'cancel:42' })],
      }),
    ]);
    expect(message.blocks.at(-1)?.type).toBe('actions');
  });

  it('names the vendors (escaped), the schedule from … to … and, while undecided, the deadline', () => {
    const awaiting = allText(buildRequestCard({ ...card, requestId: 42, awaitingDecision: true }));
    expect(awaiting).toContain('*Vendors:* \u2060*Acme* &lt;!channel&gt; (3)');
    expect(awaiting).toContain('*Schedule:* from 7 Dec 2026 09:00 to 8 Dec 2026 09:00 UTC');
    expect(awaiting).toContain('*Decide by:* <!date^1796479200^{date_short_pretty} at {time}|5 Dec 2026 14:00 UTC>');
    const decided = allText(buildRequestCard({ ...card, requestId: 42, statusWord: 'Approved' }));
    expect(decided).not.toContain('Decide by');
    expect(decided).toContain('Schedule:');
  });

  it('has no buttons once decided, or without a request id', () => {
    expect(
      actionsOf(buildRequestCard({ ...card, requestId: 42, awaitingDecision: false, statusWord: 'Approved' }).blocks),
    ).toEqual([]);
    expect(actionsOf(buildRequestCard({ ...card, awaitingDecision: true }).blocks)).toEqual([]);
    expect(actionsOf(buildRequestCard(card).blocks)).toEqual([]);
  });

  it('shows rejections in group progress only when there are some', () => {
    const text = allText(
      buildRequestCard({
        ...card,
        groups: [
          { name: 'Vendor approvers', approvals: 1, required: 2, rejections: 1 },
          { name: 'Security', approvals: 0, required: 1, rejections: 0 },
        ],
      }),
    );
    expect(text).toContain('Vendor approvers: 1 of 2 approvals, 1 rejection');
    expect(text).toContain('Security: 0 of 1 approval"');
    expect(allText(buildRequestCard(card))).not.toContain('rejection');
  });

  it('lists decisions oldest first, in UTC, escaped', () => {
    const message = buildRequestCard({
      ...card,
      decisions: [
        decision(5, { approverId: 'U0B', decision: 'reject', comment: 'no <!channel> & <https://evil|click>' }),
        decision(5 - 1, { approverId: 'U0A', comment: 'looks fine' }),
      ],
    });
    expect(checkMessage(message)).toEqual([]);
    const text = allText(message);
    expect(text).toContain('*Decisions*');
    expect(text).toContain('<@U0A> approved · 25 Nov 2026 14:04 UTC · \\"looks fine\\"');
    expect(text).toContain(
      '<@U0B> rejected · 25 Nov 2026 14:05 UTC · \\"no &lt;!channel&gt; &amp; &lt;https://evil|click&gt;\\"',
    );
    expect(text.indexOf('U0A')).toBeLessThan(text.indexOf('U0B'));
    expect(text).not.toContain('<!channel>');
    expect(allText(buildRequestCard(card))).not.toContain('Decisions');
  });

  it('shows at most 10 decisions then "…and N more", within limits with the largest inputs', () => {
    const many = Array.from({ length: 30 }, (_, index) =>
      decision(index, { comment: '<&>'.repeat(1000), groupName: 'g'.repeat(300) }),
    );
    const message = buildRequestCard({
      ...card,
      justification: '<&>'.repeat(700),
      devices: Array.from({ length: 5000 }, (_, index) => `device-${index} ${'<long> '.repeat(40)}`),
      grants: Array.from({ length: 5000 }, (_, index) => ({
        label: `cred-${index} ${'&'.repeat(200)}`,
        startSession: true,
        viewPassword: true,
      })),
      groups: Array.from({ length: 40 }, (_, index) => ({
        name: `group ${index} ${'x'.repeat(200)}`,
        approvals: 0,
        required: 1,
        rejections: 3,
      })),
      decisions: many,
      requestId: 2 ** 31,
      awaitingDecision: true,
    });
    expect(checkMessage(message)).toEqual([]);
    const decisions = allText(message).split('*Decisions*')[1] ?? '';
    expect(decisions).toMatch(/…and \d+ more/);
    expect((decisions.match(/approved ·/g) ?? []).length).toBeLessThanOrEqual(10);
    expect(actionsOf(message.blocks)).toHaveLength(4);
  });

  it('counts the users approvers excluded, and says which approval excluded how many', () => {
    const message = buildRequestCard({
      ...card,
      counts: { users: 17, excluded: 3 },
      decisions: [decision(1, { excludedUsers: 2, comment: 'left <!channel>' }), decision(2, { excludedUsers: 1 })],
    });
    expect(checkMessage(message)).toEqual([]);
    const text = allText(message);
    expect(text).toContain('17 users to be given access · 3 excluded');
    expect(text).toContain('<@U0APP1> approved except 2 users · 25 Nov 2026 14:01 UTC · \\"left &lt;!channel&gt;\\"');
    expect(text).toContain('<@U0APP2> approved except 1 user · 25 Nov 2026 14:02 UTC');
    expect(allText(buildRequestCard(card))).not.toContain('excluded');
  });
});

describe('decision modals', () => {
  it('Approve: optional Comment, submit Approve, request id in metadata', () => {
    const view = buildApproveModal({ requestId: 7, code: 'W000007' });
    expect(checkView(view)).toEqual([]);
    expect(view).toMatchObject({
      callback_id: ids.APPROVE_MODAL_CALLBACK,
      title: { text: 'Approve request' },
      submit: { text: 'Approve' },
      close: { text: 'Cancel' },
    });
    expect(parseDecisionMetadata(view.private_metadata)).toBe(7);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ requestId: 7 });
    expect(allText(view)).toContain('Approve W000007?');
    const input = view.blocks.find((block) => block.type === 'input');
    expect(input).toMatchObject({
      block_id: ids.COMMENT_BLOCK,
      optional: true,
      label: { text: 'Comment' },
      element: { type: 'plain_text_input', action_id: ids.DECISION_TEXT_ACTION, multiline: true, max_length: 3000 },
    });
  });

  it('Reject: required Reason, submit Reject', () => {
    const view = buildRejectModal({ requestId: 7, code: '<!channel>' });
    expect(checkView(view)).toEqual([]);
    expect(view).toMatchObject({
      callback_id: ids.REJECT_MODAL_CALLBACK,
      title: { text: 'Reject request' },
      submit: { text: 'Reject' },
    });
    expect(allText(view)).not.toContain('<!channel>');
    const input = view.blocks.find((block) => block.type === 'input');
    expect(input).toMatchObject({
      block_id: ids.REASON_BLOCK,
      optional: false,
      label: { text: 'Reason' },
      element: { type: 'plain_text_input', action_id: ids.DECISION_TEXT_ACTION, multiline: true, max_length: 3000 },
    });
  });

  const someUsers = {
    options: [
      { value: 'line:2', text: 'Bob *Smith* <!channel> · bob@acme.example · Acme Corp', description: 'line 2' },
      { value: 'line:3', text: 'Ana · ana@acme.example · Acme Corp', description: 'line 3' },
    ],
    truncated: false,
  };

  it('Approve except…: the users in a static select when all fit, a required Reason, submit Approve', () => {
    const view = buildApproveExceptModal({
      requestId: 7,
      code: 'W000007',
      summary: '2 users of Acme',
      users: someUsers,
    });
    expect(checkView(view)).toEqual([]);
    expect(view).toMatchObject({
      callback_id: ids.APPROVE_EXCEPT_MODAL_CALLBACK,
      title: { text: 'Approve except…' },
      submit: { text: 'Approve' },
      close: { text: 'Cancel' },
    });
    expect(parseDecisionMetadata(view.private_metadata)).toBe(7);
    const inputs = view.blocks.filter((block) => block.type === 'input');
    expect(inputs).toEqual([
      expect.objectContaining({
        block_id: ids.EXCLUDED_USERS_BLOCK,
        label: expect.objectContaining({ text: 'Users to exclude' }),
        element: expect.objectContaining({
          type: 'multi_static_select',
          action_id: ids.EXCLUDED_USERS_SELECT_ACTION,
          // Option texts are plain text: shown as typed, never formatted.
          options: [
            expect.objectContaining({
              value: 'line:2',
              text: { type: 'plain_text', text: 'Bob *Smith* <!channel> · bob@acme.example · Acme Corp', emoji: false },
            }),
            expect.objectContaining({ value: 'line:3' }),
          ],
        }),
      }),
      expect.objectContaining({
        block_id: ids.REASON_BLOCK,
        optional: false,
        label: expect.objectContaining({ text: 'Reason' }),
      }),
    ]);
    expect(allText(view)).toContain('Approve W000007 for every user but those you choose');
  });

  it('Approve except…: a request with more users than a static select holds searches them (external select)', () => {
    const view = buildApproveExceptModal({ requestId: 7, code: 'W000007', users: { ...someUsers, truncated: true } });
    expect(checkView(view)).toEqual([]);
    const select = view.blocks.find((block) => block.block_id === ids.EXCLUDED_USERS_BLOCK);
    expect(select).toMatchObject({
      element: { type: 'multi_external_select', action_id: ids.EXCLUDED_USERS_SELECT_ACTION, min_query_length: 0 },
    });
    expect(JSON.stringify(select)).not.toContain('line:2');
    expect(
      parseExcludedUserValues({
        [ids.EXCLUDED_USERS_BLOCK]: {
          [ids.EXCLUDED_USERS_SELECT_ACTION]: { selected_options: [{ value: 'line:2' }, { value: 'line:9' }] },
        },
      }),
    ).toEqual(['line:2', 'line:9']);
    expect(parseExcludedUserValues({})).toEqual([]);
  });

  it('parses metadata and the text, trimmed, empty as null', () => {
    expect(parseDecisionMetadata('nope')).toBeNull();
    expect(parseDecisionMetadata('{"requestId":"7"}')).toBeNull();
    expect(parseDecisionMetadata(undefined)).toBeNull();
    const values = {
      [ids.REASON_BLOCK]: { [ids.DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: '  too broad \n' } },
    };
    expect(parseDecisionText(values, ids.REASON_BLOCK)).toBe('too broad');
    expect(parseDecisionText(values, ids.COMMENT_BLOCK)).toBeNull();
    expect(
      parseDecisionText({ [ids.COMMENT_BLOCK]: { [ids.DECISION_TEXT_ACTION]: { value: '   ' } } }, ids.COMMENT_BLOCK),
    ).toBeNull();
    expect(
      parseDecisionText({ [ids.COMMENT_BLOCK]: { [ids.DECISION_TEXT_ACTION]: { value: null } } }, ids.COMMENT_BLOCK),
    ).toBeNull();
  });
});

describe('decision texts', () => {
  const reply = {
    approverId: 'U0APP',
    decision: 'approve' as const,
    code: 'W000001',
    comment: 'looks fine',
    statusWord: 'Approved',
    groupName: 'Vendor approvers',
  };

  it('thread reply of an approval that excludes users: how many, and the reason', () => {
    expect(
      decisionReplyText({ ...reply, comment: 'left the company', excludedUsers: 2, statusWord: 'Awaiting approval' }),
    ).toBe(
      '<@U0APP> approved W000001 (Vendor approvers) except 2 users: "left the company". Status: Awaiting approval.',
    );
    expect(
      statusChangeDmText({
        code: 'W1',
        statusWord: 'Approved',
        fileName: 'f.xlsx',
        byUserId: 'U0APP',
        excludedUsers: 3,
      }),
    ).toBe(
      'Your request W1 for f.xlsx is now Approved by <@U0APP>. The approvers excluded 3 users, who get no access: `/domum status W1` says who and why.',
    );
  });

  it('thread reply', () => {
    expect(decisionReplyText(reply)).toBe(
      '<@U0APP> approved W000001 (Vendor approvers): "looks fine". Status: Approved.',
    );
    expect(decisionReplyText({ ...reply, comment: null, statusWord: 'Awaiting approval' })).toBe(
      '<@U0APP> approved W000001 (Vendor approvers). Status: Awaiting approval.',
    );
    expect(decisionReplyText({ ...reply, decision: 'reject', comment: 'too broad', statusWord: 'Rejected' })).toBe(
      '<@U0APP> rejected W000001 (Vendor approvers): "too broad". Status: Rejected.',
    );
  });

  it('escapes and cuts comments', () => {
    const escaped = decisionReplyText({ ...reply, comment: 'hey <!channel> & <@U999>' });
    expect(escaped).toContain('"hey &lt;!channel&gt; &amp; &lt;@U999&gt;"');
    expect(escaped).not.toContain('<!channel>');
    const long = decisionReplyText({ ...reply, comment: '<'.repeat(3000) });
    const quoted = /"(.*)"/.exec(long)?.[1] ?? '';
    expect([...quoted].length).toBeLessThanOrEqual(500);
    expect(quoted.endsWith('…')).toBe(true);
    expect(quoted).not.toMatch(/&l?t?…$|&lt…/);
    const dm = statusChangeDmText({
      code: 'W1',
      statusWord: 'Rejected',
      fileName: 'f',
      byUserId: 'U0APP',
      comment: 'x'.repeat(3000),
    });
    expect(dm.length).toBeLessThan(600);
  });

  it('requester DM', () => {
    expect(statusChangeDmText({ code: 'W000001', statusWord: 'Approved', fileName: 'users.xlsx' })).toBe(
      'Your request W000001 for users.xlsx is now Approved.',
    );
    expect(
      statusChangeDmText({
        code: 'W000001',
        statusWord: 'Rejected',
        fileName: 'users.xlsx',
        byUserId: 'U0APP',
        comment: 'too broad',
      }),
    ).toBe('Your request W000001 for users.xlsx is now Rejected by <@U0APP>: "too broad".');
    expect(statusChangeDmText({ code: 'W000001', statusWord: 'Completed', fileName: '<!here>.xlsx' })).toBe(
      'Your request W000001 for &lt;!here&gt;.xlsx is now Completed.',
    );
  });
});
