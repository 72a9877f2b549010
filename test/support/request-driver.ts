// Creates a batch access request through the real wizard (signed requests to the app, the fake Web API),
// for tests of what happens after Create.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import {
  credentialsStepValues,
  devicesStepValues,
  generalStepValues,
  importStepValues,
  limitationStepValues,
} from './wizard-steps.ts';
import { APPROVE_MODAL_CALLBACK, COMMENT_BLOCK, DECISION_TEXT_ACTION, REASON_BLOCK } from '../../src/slack/ids.ts';
import { fixturePath } from './fixtures.ts';
import type { TestApp } from './test-app.ts';

interface View {
  id: string;
  callback_id: string;
  private_metadata: string;
}

async function submit(app: TestApp, view: View, values: Record<string, unknown>, user: string) {
  const response = await app.slack.interactive({
    type: 'view_submission',
    user: { id: user, team_id: 'T0TEAM001' },
    view: { ...view, type: 'modal', state: { values } },
  });
  return response.json() as { response_action: string; view?: View };
}

export async function createRequestThroughWizard(
  app: TestApp,
  options: { requester: string; channel: string; file?: string; bytes?: Buffer; justification?: string },
): Promise<{ id: number; code: string; reviewView: string }> {
  const { requester, channel } = options;
  const db = app.running.deps.db;
  const opensBefore = app.slackApi.callsTo('views.open').length;
  await app.slack.command({ text: 'import', userId: requester, channelId: channel });
  const opened = await app.slackApi.waitForCalls('views.open', opensBefore + 1);
  const modal = (opened[opensBefore]?.response as { view: View }).view;
  const name = options.file ?? 'clean_en.xlsx';
  const file = app.slackApi.addFile({ name, bytes: options.bytes ?? readFileSync(fixturePath(name)), user: requester });
  await submit(app, modal, importStepValues(file), requester);
  const preview = (
    (await app.slackApi.waitForCall('views.update', (call) => call.args.view_id === modal.id, 15_000)).response as {
      view: View;
    }
  ).view;
  const reason = await db
    .selectFrom('reasons')
    .select('id')
    .where('enabled', '=', true)
    .orderBy('name')
    .executeTakeFirstOrThrow();
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
  const steps: Array<Record<string, unknown>> = [
    {},
    generalStepValues(String(reason.id), options.justification),
    devicesStepValues(`device:${device.id}`),
    credentialsStepValues(`credential:${credential.id}`),
    limitationStepValues(),
    {},
  ];
  let view: View = preview;
  let reviewView = '';
  for (const values of steps) {
    const next = await submit(app, view, values, requester);
    expect(next.response_action).toBe('update');
    view = { ...(next.view as View), id: modal.id };
    if (view.callback_id === 'wizard_review') reviewView = JSON.stringify(next.view);
  }
  const request = await db
    .selectFrom('access_requests as r')
    .innerJoin('imports as i', 'i.id', 'r.import_id')
    .select(['r.id', 'r.code'])
    .where('i.file_hash', 'is not', null)
    .orderBy('r.id', 'desc')
    .executeTakeFirstOrThrow();
  return { ...request, reviewView };
}

/** A request's status as the database has it now. */
export async function statusOf(app: TestApp, requestId: number): Promise<string> {
  const row = await app.running.deps.db
    .selectFrom('access_requests')
    .select('status')
    .where('id', '=', requestId)
    .executeTakeFirstOrThrow();
  return row.status;
}

/** Submits the Approve (comment) or Reject (reason) modal of a request as `user`, as Slack sends it. */
export function submitDecision(app: TestApp, callback: string, requestId: number, user: string, text: string) {
  const block = callback === APPROVE_MODAL_CALLBACK ? COMMENT_BLOCK : REASON_BLOCK;
  return app.slack.interactive({
    type: 'view_submission',
    user: { id: user, team_id: 'T0TEAM001' },
    view: {
      id: `V${user}`,
      type: 'modal',
      callback_id: callback,
      private_metadata: JSON.stringify({ requestId }),
      state: { values: { [block]: { [DECISION_TEXT_ACTION]: { type: 'plain_text_input', value: text } } } },
    },
  });
}
