// Next on a step of the request wizard, and Create on its Review (README, "Automatically provide access after
// import"): the step's answers are checked and saved in the draft, then the next step replaces the view; on
// Review the request is created, or the step that stops it is shown again with why.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';
import { findChosenCredentials } from '../../usecases/search-catalog.ts';
import type { AppDeps } from '../../app-deps.ts';
import { validateLimitation } from '../../domain/access-limitation.ts';
import { nextStep } from '../../domain/request-draft.ts';
import type { RequestDraftData, WizardStep } from '../../domain/request-draft.ts';
import {
  createAccessRequest,
  DRAFT_REFUSAL_TEXT,
  loadWizardContext,
  openDraft,
  saveDraft,
} from '../../usecases/request-wizard.ts';
import type { DraftAccess } from '../../usecases/request-wizard.ts';
import { markPreviewDecided } from '../../usecases/import-notices.ts';
import { stepOfCallback } from '../ids.ts';
import { readPrivateMetadata, wizardMetadata } from '../private-metadata.ts';
import {
  limitationErrors,
  parseDeviceIds,
  parseGeneral,
  parseGrants,
  parseLimitation,
} from '../wizard/wizard-parse.ts';
import type { Parsed, StateValues } from '../wizard/wizard-parse.ts';
import { buildStepView, credentialsOnChosenDevices, messageView, wizardDeps } from '../wizard/wizard-step-view.ts';
import type { OpenDraft } from '../wizard/wizard-step-view.ts';

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

export function createWizardSubmission(deps: AppDeps) {
  return async (args: ViewArgs): Promise<void> => {
    const { ack, body, view } = args;
    const step = stepOfCallback(view.callback_id);
    const metadata = readPrivateMetadata(wizardMetadata, view.private_metadata);
    if (!step || !metadata) {
      await ack({ response_action: 'update', view: messageView(DRAFT_REFUSAL_TEXT['not-found']) });
      return;
    }
    const access = await openDraft(wizardDeps(deps), metadata.draftId, body.user.id);
    if (step === 'review') return submitReview(deps, args, metadata.draftId, access);
    if (!access.ok) {
      await ack({ response_action: 'update', view: messageView(DRAFT_REFUSAL_TEXT[access.reason]) });
      return;
    }
    const answers = await STEP_ANSWERS[step](deps, view.state.values, access);
    if (!answers.ok) {
      await ack({ response_action: 'errors', errors: answers.errors });
      return;
    }
    const { data } = answers;
    const next = nextStep(step, data);
    data.returnToReview = false;
    await saveDraft(deps, access.draft.id, data);
    await ack({ response_action: 'update', view: await buildStepView(deps, { ...access, data }, next) });
  };
}

async function submitReview(deps: AppDeps, args: ViewArgs, draftId: string, access: DraftAccess): Promise<void> {
  const { ack, body } = args;
  const userId = body.user.id;
  const result = await createAccessRequest(wizardDeps(deps), draftId, userId);
  if (result.ok) {
    await ack({
      response_action: 'update',
      view: messageView(
        `Request ${result.code} was created. Its card is being posted for approval, and the users are being imported.`,
      ),
    });
    if (!result.alreadyCreated && access.ok && access.import.source === 'upload') {
      await markPreviewDecided(deps, access.import.id, `Request ${result.code} created by <@${userId}>: importing…`);
    }
    return;
  }
  if (result.reason === 'incomplete' && access.ok) {
    await ack({ response_action: 'update', view: await buildStepView(deps, access, result.step, result.message) });
    return;
  }
  if (result.reason === 'invalid-limitation' && access.ok) {
    const notice = result.problems.map((problem) => problem.message).join(' ');
    await ack({ response_action: 'update', view: await buildStepView(deps, access, 'limitation', notice) });
    return;
  }
  await ack({
    response_action: 'update',
    view: messageView(
      DRAFT_REFUSAL_TEXT[result.reason as keyof typeof DRAFT_REFUSAL_TEXT] ?? DRAFT_REFUSAL_TEXT['not-found'],
    ),
  });
}

type ReadAnswers = (
  deps: AppDeps,
  values: StateValues,
  access: OpenDraft,
) => Promise<Parsed<{ data: RequestDraftData }>>;

/** Each step's answers merged into the draft's data, or the errors to show under its fields. */
const STEP_ANSWERS: Record<Exclude<WizardStep, 'review'>, ReadAnswers> = {
  general: async (deps, values, access) => {
    const context = await loadWizardContext(deps.db, access.import);
    const parsed = parseGeneral(values, { governanceRequired: context.governanceRequired });
    return parsed.ok ? { ok: true, data: { ...access.data, general: parsed.answers } } : parsed;
  },
  devices: async (deps, values, access) => {
    const parsed = parseDeviceIds(values);
    if (!parsed.ok) return parsed;
    // Credentials of devices no longer chosen are dropped: credentials are offered only for the chosen devices.
    const grants = access.data.grants ?? [];
    const credentials = await findChosenCredentials(
      deps,
      grants.map((grant) => grant.credentialId),
    );
    const kept = new Set(
      credentials
        .filter((credential) => parsed.deviceIds.includes(credential.device_id))
        .map((credential) => credential.id),
    );
    const data = { ...access.data, deviceIds: parsed.deviceIds };
    return { ok: true, data: { ...data, grants: grants.filter((grant) => kept.has(grant.credentialId)) } };
  },
  credentials: async (deps, values, access) => {
    const allowed = await credentialsOnChosenDevices(deps, values, access.data);
    const parsed = parseGrants(
      values,
      allowed.map((credential) => credential.id),
    );
    return parsed.ok ? { ok: true, data: { ...access.data, grants: parsed.grants } } : parsed;
  },
  limitation: async (deps, values, access) => {
    const parsed = parseLimitation(values, access.draft.timeZone);
    if (!parsed.ok) return parsed;
    const context = await loadWizardContext(deps.db, access.import);
    const problems = validateLimitation(parsed.limitation, { now: deps.now(), contractEnd: context.contractEnd });
    if (problems.length > 0) return { ok: false, errors: limitationErrors(problems) };
    return { ok: true, data: { ...access.data, limitation: parsed.limitation } };
  },
};
