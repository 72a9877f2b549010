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
import type { Db } from '../../src/db/schema.ts';
import type { TestApp } from './test-app.ts';

interface View {
  id: string;
  callback_id: string;
  private_metadata: string;
}

/** What the driver talks to: signed requests to the app, and the fake Web API it calls. */
export type SlackSide = Pick<TestApp, 'slack' | 'slackApi'>;

async function submit(side: SlackSide, view: View, values: Record<string, unknown>, user: string) {
  const response = await side.slack.interactive({
    type: 'view_submission',
    user: { id: user, team_id: 'T0TEAM001' },
    view: { ...view, type: 'modal', state: { values } },
  });
  return response.json() as { response_action: string; view?: View };
}

/** The catalog entries the wizard picks (the fixture catalog's first enabled reason, D-1001 and C-5001). */
export interface WizardChoices {
  reasonId: number;
  deviceId: number;
  credentialId: number;
}

export async function wizardChoices(db: Db): Promise<WizardChoices> {
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
  return { reasonId: reason.id, deviceId: device.id, credentialId: credential.id };
}

export interface WizardOptions {
  requester: string;
  channel: string;
  file?: string;
  bytes?: Buffer;
  justification?: string;
}

/**
 * `/domum import` with the file, the preview, the wizard's steps and Create, through Slack only (it reads no
 * database, so it also drives an app that owns its embedded database). Returns the review step's view.
 */
export async function runImportWizard(
  side: SlackSide,
  choices: WizardChoices,
  options: WizardOptions,
): Promise<{ reviewView: string }> {
  const { requester, channel } = options;
  const opensBefore = side.slackApi.callsTo('views.open').length;
  await side.slack.command({ text: 'import', userId: requester, channelId: channel });
  const opened = await side.slackApi.waitForCalls('views.open', opensBefore + 1);
  const modal = (opened[opensBefore]?.response as { view: View }).view;
  const name = options.file ?? 'clean_en.xlsx';
  const file = side.slackApi.addFile({
    name,
    bytes: options.bytes ?? readFileSync(fixturePath(name)),
    user: requester,
  });
  await submit(side, modal, importStepValues(file), requester);
  const preview = (
    (await side.slackApi.waitForCall('views.update', (call) => call.args.view_id === modal.id, 15_000)).response as {
      view: View;
    }
  ).view;
  const steps: Array<Record<string, unknown>> = [
    {},
    generalStepValues(String(choices.reasonId), options.justification),
    devicesStepValues(`device:${choices.deviceId}`),
    credentialsStepValues(`credential:${choices.credentialId}`),
    limitationStepValues(),
    {},
  ];
  let view: View = preview;
  let reviewView = '';
  for (const values of steps) {
    const next = await submit(side, view, values, requester);
    expect(next.response_action).toBe('update');
    view = { ...(next.view as View), id: modal.id };
    if (view.callback_id === 'wizard_review') reviewView = JSON.stringify(next.view);
  }
  return { reviewView };
}

export async function createRequestThroughWizard(
  app: TestApp,
  options: WizardOptions,
): Promise<{ id: number; code: string; reviewView: string }> {
  const db = app.running.deps.db;
  const { reviewView } = await runImportWizard(app, await wizardChoices(db), options);
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
