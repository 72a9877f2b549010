// The request wizard's listeners (SPEC §4): one modal whose view is replaced step by step (response_action
// update on Next, views.update on Back / Edit / a change of credentials), never pushed, so Slack's 3-view
// stack is never in play. Every step's answers are saved in the draft before the next view is shown.
import type {
  AllMiddlewareArgs,
  BlockAction,
  SlackActionMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';
import type { ModalView } from '@slack/types';
import { findCredentialsByIds, findDevicesByIds } from '../../db/repos/catalog-search-repo.ts';
import { describeLimitation, nextQuarterHour, validateLimitation } from '../../domain/access-limitation.ts';
import { nextStep, previousStep, WIZARD_STEPS } from '../../domain/request-draft.ts';
import type { RequestDraftData, WizardStep } from '../../domain/request-draft.ts';
import {
  createAccessRequest,
  DRAFT_REFUSAL_TEXT,
  loadWizardContext,
  openDraft,
  saveDraft,
} from '../../usecases/request-wizard.ts';
import type { DraftAccess } from '../../usecases/request-wizard.ts';
import {
  credentialLabel,
  deviceOption,
  searchCredentialOptions,
  searchDeviceOptions,
} from '../../usecases/search-catalog.ts';
import { toSlackOptions } from '../blocks/catalog-options.ts';
import { markPreviewDecided } from '../../usecases/import-notices.ts';
import { escapeMrkdwn } from '../blocks/mrkdwn.ts';
import type { AppDeps } from '../../app-deps.ts';
import { WIZARD_CALLBACKS, stepOfCallback } from './wizard-ids.ts';
import {
  limitationErrors,
  parseCredentialIds,
  parseDeviceIds,
  parseGeneral,
  parseGrants,
  parseLimitation,
  parseWizardMetadata,
} from './wizard-parse.ts';
import type { StateValues } from './wizard-parse.ts';
import {
  buildCredentialsStep,
  buildDevicesStep,
  buildGeneralStep,
  buildLimitationStep,
  buildReviewStep,
  WIZARD_TITLE,
} from './wizard-views.ts';

type OpenDraft = Extract<DraftAccess, { ok: true }>;

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

/** The view of one step, filled in from the draft. */
export async function buildStepView(
  deps: AppDeps,
  access: OpenDraft,
  step: WizardStep,
  notice?: string,
): Promise<ModalView> {
  const { draft, data, import: record } = access;
  let view: ModalView;
  switch (step) {
    case 'general': {
      const context = await loadWizardContext(deps.db, record);
      view = buildGeneralStep({
        draftId: draft.id,
        fileName: record.file_name,
        reasons: context.reasons,
        governanceRequired: context.governanceRequired,
        ...(data.general ? { values: data.general } : {}),
      });
      break;
    }
    case 'devices': {
      const devices = await findDevicesByIds(deps.db, data.deviceIds ?? []);
      view = buildDevicesStep({
        draftId: draft.id,
        chosen: devices.map((device) => ({ id: device.id, label: deviceOption(device).text })),
      });
      break;
    }
    case 'credentials': {
      const grants = data.grants ?? [];
      const credentials = await findCredentialsByIds(
        deps.db,
        grants.map((grant) => grant.credentialId),
      );
      const byId = new Map(credentials.map((credential) => [credential.id, credential]));
      const chosen = grants.flatMap((grant) => {
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
      view = buildCredentialsStep({ draftId: draft.id, chosen });
      break;
    }
    case 'limitation':
      view = buildLimitationStep({
        draftId: draft.id,
        timeZone: draft.timeZone,
        defaultStart: nextQuarterHour(deps.now(), draft.timeZone),
        ...(data.limitation ? { values: data.limitation } : {}),
      });
      break;
    case 'review': {
      const context = await loadWizardContext(deps.db, record);
      const devices = await findDevicesByIds(deps.db, data.deviceIds ?? []);
      const grants = data.grants ?? [];
      const credentials = new Map(
        (
          await findCredentialsByIds(
            deps.db,
            grants.map((grant) => grant.credentialId),
          )
        ).map((credential) => [credential.id, credential]),
      );
      const reason = context.reasons.find((candidate) => candidate.id === data.general?.reasonId);
      view = buildReviewStep({
        draftId: draft.id,
        fileName: record.file_name,
        counts: { toCreateActive: context.activeUsers },
        general: {
          justification: data.general?.justification ?? '',
          reasonName: reason?.name ?? '—',
          governanceCode: data.general?.governanceCode ?? null,
        },
        devices: devices.map((device) => device.name),
        grants: grants.flatMap((grant) => {
          const credential = credentials.get(grant.credentialId);
          return credential
            ? [
                {
                  label: credentialLabel(credential),
                  startSession: grant.startSession,
                  viewPassword: grant.viewPassword,
                },
              ]
            : [];
        }),
        limitationText: data.limitation ? describeLimitation(data.limitation) : '—',
      });
      break;
    }
  }
  if (notice)
    view = {
      ...view,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(notice)}` } },
        ...view.blocks,
      ],
    };
  return view;
}

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

/** Next (and Create on Review): validate this step, save it, show the next one. */
export function createWizardSubmission(deps: AppDeps) {
  return async (args: ViewArgs): Promise<void> => {
    const { ack, body, view } = args;
    const step = stepOfCallback(view.callback_id);
    const metadata = parseWizardMetadata(view.private_metadata);
    if (!step || !metadata) {
      await ack({ response_action: 'update', view: messageView(DRAFT_REFUSAL_TEXT['not-found']) });
      return;
    }
    const userId = body.user.id;
    const access = await openDraft(wizardDeps(deps), metadata.draftId, userId);
    if (step === 'review') {
      const result = await createAccessRequest(wizardDeps(deps), metadata.draftId, userId);
      if (result.ok) {
        await ack({
          response_action: 'update',
          view: messageView(
            `Request ${result.code} was created. Its card is being posted for approval, and the users are being imported.`,
          ),
        });
        if (!result.alreadyCreated && access.ok && access.import.source === 'upload') {
          await markPreviewDecided(
            deps,
            access.import.id,
            `Request ${result.code} created by <@${userId}>: importing…`,
          );
        }
        return;
      }
      if (result.reason === 'incomplete' && access.ok) {
        await ack({ response_action: 'update', view: await buildStepView(deps, access, result.step, result.message) });
        return;
      }
      if (result.reason === 'invalid-limitation' && access.ok) {
        await ack({
          response_action: 'update',
          view: await buildStepView(
            deps,
            access,
            'limitation',
            result.problems.map((problem) => problem.message).join(' '),
          ),
        });
        return;
      }
      await ack({
        response_action: 'update',
        view: messageView(
          DRAFT_REFUSAL_TEXT[result.reason as keyof typeof DRAFT_REFUSAL_TEXT] ?? DRAFT_REFUSAL_TEXT['not-found'],
        ),
      });
      return;
    }
    if (!access.ok) {
      await ack({ response_action: 'update', view: messageView(DRAFT_REFUSAL_TEXT[access.reason]) });
      return;
    }
    const values = view.state.values as StateValues;
    const data: RequestDraftData = { ...access.data };
    switch (step) {
      case 'general': {
        const context = await loadWizardContext(deps.db, access.import);
        const parsed = parseGeneral(values, { governanceRequired: context.governanceRequired });
        if (!parsed.ok) return void (await ack({ response_action: 'errors', errors: parsed.errors }));
        data.general = parsed.answers;
        break;
      }
      case 'devices': {
        const parsed = parseDeviceIds(values);
        if (!parsed.ok) return void (await ack({ response_action: 'errors', errors: parsed.errors }));
        data.deviceIds = parsed.deviceIds;
        // Credentials of devices no longer chosen are dropped: credentials are offered only for the chosen devices.
        const kept = new Set(
          (
            await findCredentialsByIds(
              deps.db,
              (data.grants ?? []).map((grant) => grant.credentialId),
            )
          )
            .filter((credential) => parsed.deviceIds.includes(credential.device_id))
            .map((credential) => credential.id),
        );
        data.grants = (data.grants ?? []).filter((grant) => kept.has(grant.credentialId));
        break;
      }
      case 'credentials': {
        const chosenIds = parseCredentialIds(values);
        const allowed = await findCredentialsByIds(deps.db, chosenIds);
        const onChosenDevices = allowed
          .filter((credential) => (data.deviceIds ?? []).includes(credential.device_id))
          .map((credential) => credential.id);
        const parsed = parseGrants(values, onChosenDevices);
        if (!parsed.ok) return void (await ack({ response_action: 'errors', errors: parsed.errors }));
        data.grants = parsed.grants;
        break;
      }
      case 'limitation': {
        const parsed = parseLimitation(values, access.draft.timeZone);
        if (!parsed.ok) return void (await ack({ response_action: 'errors', errors: parsed.errors }));
        const context = await loadWizardContext(deps.db, access.import);
        const problems = validateLimitation(parsed.limitation, { now: deps.now(), contractEnd: context.contractEnd });
        if (problems.length > 0)
          return void (await ack({ response_action: 'errors', errors: limitationErrors(problems) }));
        data.limitation = parsed.limitation;
        break;
      }
    }
    const next = nextStep(step, data);
    data.returnToReview = false;
    await saveDraft(deps, access.draft.id, data);
    await ack({ response_action: 'update', view: await buildStepView(deps, { ...access, data }, next) });
  };
}

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;

async function updateFromAction(
  deps: AppDeps,
  args: ButtonArgs,
  pickStep: (current: WizardStep, access: OpenDraft) => Promise<WizardStep | undefined>,
): Promise<void> {
  const { ack, body, client } = args;
  await ack();
  const view = body.view;
  if (!view) return;
  const current = stepOfCallback(view.callback_id);
  const metadata = parseWizardMetadata(view.private_metadata);
  if (!current || !metadata) return;
  const access = await openDraft(wizardDeps(deps), metadata.draftId, body.user.id);
  if (!access.ok) {
    await client.views.update({
      view_id: view.id,
      hash: view.hash,
      view: messageView(DRAFT_REFUSAL_TEXT[access.reason]),
    });
    return;
  }
  const target = await pickStep(current, access);
  if (!target) return;
  // Read again: picking the step may have saved the draft (Edit, a change of credentials).
  const latest = await openDraft(wizardDeps(deps), metadata.draftId, body.user.id);
  if (!latest.ok) return;
  await client.views.update({ view_id: view.id, hash: view.hash, view: await buildStepView(deps, latest, target) });
}

/** Back: the previous step, with what was saved for it. */
export function createWizardBack(deps: AppDeps) {
  return (args: ButtonArgs) => updateFromAction(deps, args, (current) => Promise.resolve(previousStep(current)));
}

/** Edit (on Review): that step, whose Next then returns to Review. */
export function createWizardEdit(deps: AppDeps) {
  return (args: ButtonArgs) =>
    updateFromAction(deps, args, async (_current, access) => {
      const value = (args.action as { value?: string }).value;
      const step = WIZARD_STEPS.find((candidate) => candidate === value && candidate !== 'review');
      if (!step) return undefined;
      await saveDraft(deps, access.draft.id, { ...access.data, returnToReview: true });
      return step;
    });
}

/** A change of chosen credentials: save it and re-render, so each chosen credential gets its permissions. */
export function createCredentialsChanged(deps: AppDeps) {
  return (args: ButtonArgs) =>
    updateFromAction(deps, args, async (current, access) => {
      if (current !== 'credentials' || !args.body.view) return undefined;
      const values = args.body.view.state.values as StateValues;
      const chosenIds = parseCredentialIds(values);
      const allowed = (await findCredentialsByIds(deps.db, chosenIds)).filter((credential) =>
        (access.data.deviceIds ?? []).includes(credential.device_id),
      );
      const previous = new Map((access.data.grants ?? []).map((grant) => [grant.credentialId, grant]));
      const partial = parseGrants(
        values,
        allowed.map((credential) => credential.id),
      );
      const ticked = new Map(partial.ok ? partial.grants.map((grant) => [grant.credentialId, grant]) : []);
      const grants = allowed.map(
        (credential) =>
          ticked.get(credential.id) ??
          previous.get(credential.id) ?? { credentialId: credential.id, startSession: false, viewPassword: false },
      );
      await saveDraft(deps, access.draft.id, { ...access.data, grants });
      return 'credentials';
    });
}

type OptionsArgs = SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs;

export function createDeviceOptions(deps: AppDeps) {
  return async ({ ack, options }: OptionsArgs): Promise<void> => {
    const result = await searchDeviceOptions({ db: deps.db }, options.value ?? '');
    await ack({ options: toSlackOptions(result).options });
  };
}

/** Credentials are offered only for the devices chosen in the draft behind this view. */
export function createCredentialOptions(deps: AppDeps) {
  return async ({ ack, body, options }: OptionsArgs): Promise<void> => {
    const metadata = parseWizardMetadata(body.view?.private_metadata ?? '');
    const access = metadata ? await openDraft(wizardDeps(deps), metadata.draftId, body.user.id) : undefined;
    if (!access?.ok || !access.data.deviceIds?.length) {
      await ack({ options: [] });
      return;
    }
    const result = await searchCredentialOptions(
      { db: deps.db },
      { deviceIds: access.data.deviceIds, text: options.value ?? '' },
    );
    await ack({ options: toSlackOptions(result).options });
  };
}

export const WIZARD_STEP_CALLBACKS = Object.values(WIZARD_CALLBACKS);

/** Resume (on the import modal): the draft's modal was closed; continue where its answers stop. */
export function createWizardResume(deps: AppDeps) {
  return async (args: ButtonArgs): Promise<void> => {
    const { ack, body, client } = args;
    await ack();
    const view = body.view;
    const draftId = (args.action as { value?: string }).value;
    if (!view || !draftId) return;
    const access = await openDraft(wizardDeps(deps), draftId, body.user.id);
    if (!access.ok) {
      await client.views.update({
        view_id: view.id,
        hash: view.hash,
        view: messageView(DRAFT_REFUSAL_TEXT[access.reason]),
      });
      return;
    }
    const { data } = access;
    const step: WizardStep = !data.general
      ? 'general'
      : !data.deviceIds?.length
        ? 'devices'
        : !data.grants?.length
          ? 'credentials'
          : !data.limitation
            ? 'limitation'
            : 'review';
    await client.views.update({ view_id: view.id, hash: view.hash, view: await buildStepView(deps, access, step) });
  };
}
