// What the request wizard's listeners share (README, "Automatically provide access after import"): the view of
// a step filled in from its draft, the small view that says why the wizard cannot go on, and the views.update
// that Back, Edit and a change of credentials make. The wizard is one modal whose view is replaced step by step
// (response_action update on Next, views.update on the buttons), never pushed, so Slack's 3-view stack is
// never in play; every step's answers are saved in the draft before the next view is shown.
import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { AppDeps } from '../../app-deps.ts';
import { describeLimitation, nextQuarterHour } from '../../domain/access-limitation.ts';
import type { CredentialGrant, RequestDraftData, WizardStep } from '../../domain/request-draft.ts';
import { DRAFT_REFUSAL_TEXT, loadWizardContext, openDraft } from '../../usecases/request-wizard.ts';
import type { DraftAccess } from '../../usecases/request-wizard.ts';
import {
  credentialLabel,
  deviceOption,
  findChosenCredentials,
  findChosenDevices,
} from '../../usecases/search-catalog.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import { stepOfCallback } from '../ids.ts';
import { readPrivateMetadata, wizardMetadata } from '../private-metadata.ts';
import {
  buildCredentialsStep,
  buildDevicesStep,
  buildGeneralStep,
  buildLimitationStep,
  buildReviewStep,
  WIZARD_TITLE,
} from './wizard-views.ts';
import { parseCredentialIds } from './wizard-parse.ts';
import type { StateValues } from './wizard-parse.ts';

export type OpenDraft = Extract<DraftAccess, { ok: true }>;

export function wizardDeps(deps: AppDeps) {
  return {
    db: deps.db,
    jobs: deps.jobs,
    now: deps.now,
    adminUserIds: deps.config.adminUserIds,
    approvalTtlHours: deps.config.approvalTtlHours,
  };
}

/** A small modal that says why the wizard cannot go on (the draft expired, someone else's, …). */
export function messageView(text: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: WIZARD_TITLE },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text) } }],
  };
}

/** The view of one step, filled in from the draft; a notice (why this step is shown again) goes on top. */
export async function buildStepView(
  deps: AppDeps,
  access: OpenDraft,
  step: WizardStep,
  notice?: string,
): Promise<ModalView> {
  const view = await STEP_VIEWS[step](deps, access);
  if (!notice) return view;
  return {
    ...view,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(notice)}` } }, ...view.blocks],
  };
}

const STEP_VIEWS: Record<WizardStep, (deps: AppDeps, access: OpenDraft) => Promise<ModalView>> = {
  general: async (deps, { draft, data, import: record }) => {
    const context = await loadWizardContext(deps.db, record);
    return buildGeneralStep({
      draftId: draft.id,
      fileName: record.file_name,
      reasons: context.reasons,
      governanceRequired: context.governanceRequired,
      ...(data.general ? { values: data.general } : {}),
    });
  },
  devices: async (deps, { draft, data }) => {
    const devices = await findChosenDevices(deps, data.deviceIds ?? []);
    return buildDevicesStep({
      draftId: draft.id,
      chosen: devices.map((device) => ({ id: device.id, label: deviceOption(device).text })),
    });
  },
  credentials: async (deps, { draft, data }) =>
    buildCredentialsStep({ draftId: draft.id, chosen: await chosenCredentials(deps, data.grants ?? []) }),
  limitation: (deps, { draft, data }) =>
    Promise.resolve(
      buildLimitationStep({
        draftId: draft.id,
        timeZone: draft.timeZone,
        defaultStart: defaultStart(deps.now(), draft.timeZone),
        ...(data.limitation ? { values: data.limitation } : {}),
      }),
    ),
  review: async (deps, { draft, data, import: record }) => {
    const context = await loadWizardContext(deps.db, record);
    const devices = await findChosenDevices(deps, data.deviceIds ?? []);
    const reason = context.reasons.find((candidate) => candidate.id === data.general?.reasonId);
    return buildReviewStep({
      draftId: draft.id,
      fileName: record.file_name,
      counts: { toCreateActive: context.activeUsers },
      general: {
        justification: data.general?.justification ?? '',
        reasonName: reason?.name ?? '—',
        governanceCode: data.general?.governanceCode ?? null,
      },
      devices: devices.map((device) => device.name),
      grants: await chosenCredentials(deps, data.grants ?? []),
      limitationText: data.limitation ? describeLimitation(data.limitation) : '—',
    });
  },
};

/**
 * How far ahead the default Start is at least: the next quarter hour could be seconds away and pass while the
 * requester fills in the step, and Create refuses a start in the past.
 */
export const DEFAULT_START_LEAD_MINUTES = 15;

/** The default Start: the first quarter hour of the wall clock at least DEFAULT_START_LEAD_MINUTES ahead. */
export function defaultStart(now: Date, timeZone: string): Date {
  return nextQuarterHour(new Date(now.getTime() + DEFAULT_START_LEAD_MINUTES * 60_000), timeZone);
}

/** The draft's grants with their credentials' labels, in the draft's order; a credential gone is left out. */
async function chosenCredentials(deps: AppDeps, grants: readonly CredentialGrant[]) {
  const credentials = await findChosenCredentials(
    deps,
    grants.map((grant) => grant.credentialId),
  );
  const byId = new Map(credentials.map((credential) => [credential.id, credential]));
  return grants.flatMap((grant) => {
    const credential = byId.get(grant.credentialId);
    return credential
      ? [
          {
            id: credential.id,
            label: credentialLabel(credential),
            startSession: grant.startSession,
            viewPassword: grant.viewPassword,
          },
        ]
      : [];
  });
}

/** The credentials chosen in the Credentials select that belong to the draft's devices; any other is dropped. */
export async function credentialsOnChosenDevices(deps: AppDeps, values: StateValues, data: RequestDraftData) {
  const credentials = await findChosenCredentials(deps, parseCredentialIds(values));
  return credentials.filter((credential) => (data.deviceIds ?? []).includes(credential.device_id));
}

export type WizardButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

/**
 * The draft behind the view a click came from, for its owner; otherwise undefined, once the view says why the
 * wizard cannot go on.
 */
export async function openDraftInView(
  deps: AppDeps,
  { body, client }: WizardButtonArgs,
  draftId: string,
): Promise<OpenDraft | undefined> {
  const access = await openDraft(wizardDeps(deps), draftId, body.user.id);
  if (access.ok) return access;
  if (body.view) {
    await client.views.update({
      view_id: body.view.id,
      hash: body.view.hash,
      view: messageView(DRAFT_REFUSAL_TEXT[access.reason]),
    });
  }
  return undefined;
}

/**
 * A click inside a wizard step: acked, then the modal is updated in place to the step `pickStep` chooses (or
 * to why the wizard cannot go on); nothing happens when it chooses none.
 */
export async function updateFromAction(
  deps: AppDeps,
  args: WizardButtonArgs,
  pickStep: (current: WizardStep, access: OpenDraft) => Promise<WizardStep | undefined>,
): Promise<void> {
  const { ack, body, client } = args;
  await ack();
  const view = body.view;
  if (!view) return;
  const current = stepOfCallback(view.callback_id);
  const metadata = readPrivateMetadata(wizardMetadata, view.private_metadata);
  if (!current || !metadata) return;
  const access = await openDraftInView(deps, args, metadata.draftId);
  if (!access) return;
  const target = await pickStep(current, access);
  if (!target) return;
  // Read again: picking the step may have saved the draft (Edit, a change of credentials).
  const latest = await openDraft(wizardDeps(deps), metadata.draftId, body.user.id);
  if (!latest.ok) return;
  await client.views.update({ view_id: view.id, hash: view.hash, view: await buildStepView(deps, latest, target) });
}
