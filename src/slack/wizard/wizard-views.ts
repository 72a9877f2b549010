// The access request wizard's views (README, "Automatically provide access after import"): one modal whose view
// is replaced step by step. Pure builders: the listeners load the draft, call one of these (through
// wizard-step-view.ts) and answer `response_action: update` or call views.update. Block and action ids come
// from ids.ts and never change between renders of a step, so Slack keeps what the user typed when a step is
// re-rendered (views.update) and errors can be keyed by block id.
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { DURATION_UNITS, TIME_PRESETS, WEEKDAYS, quarterHourOptions } from '../../domain/access-limitation.ts';
import type {
  AccessLimitation,
  CustomTimeWindow,
  DurationUnit,
  TimePreset,
  Weekday,
} from '../../domain/access-limitation.ts';
import { JUSTIFICATION_MAX, WIZARD_STEPS } from '../../domain/request-draft.ts';
import type { GeneralAnswers, WizardStep } from '../../domain/request-draft.ts';
import { cut } from '../../usecases/search-catalog.ts';
import { bulletList, cutText, grantLine, mrkdwnSection, mrkdwnText, usersLine } from '../blocks/request-card.ts';
import type { GrantInWords } from '../blocks/request-card.ts';
import {
  ALL_HOURS_VALUE,
  CREDENTIALS_BLOCK,
  CUSTOM_END_BLOCK,
  CUSTOM_START_BLOCK,
  CUSTOM_TIME_VALUE,
  DAYS_BLOCK,
  DEVICES_BLOCK,
  DURATION_BLOCK,
  EVERY_DAY_VALUE,
  GOVERNANCE_CODE_BLOCK,
  JUSTIFICATION_BLOCK,
  LIMITED_SESSIONS_VALUE,
  MAXIMUM_SESSIONS_BLOCK,
  REASON_BLOCK,
  SESSIONS_BLOCK,
  START_BLOCK,
  START_SESSION_VALUE,
  TIMES_BLOCK,
  UNIT_BLOCK,
  UNLIMITED_SESSIONS_VALUE,
  VIEW_PASSWORD_VALUE,
  WIZARD_BACK_ACTION,
  WIZARD_CALLBACKS,
  WIZARD_CREDENTIALS_SELECT_ACTION,
  WIZARD_DEVICES_SELECT_ACTION,
  WIZARD_EDIT_ACTION,
  WIZARD_NAVIGATION_BLOCK,
  WIZARD_VALUE_ACTION,
  editBlockId,
  grantBlockId,
} from '../ids.ts';
import { wizardMetadata, writePrivateMetadata } from '../private-metadata.ts';

export const WIZARD_TITLE = 'Request access';
/** One block per credential must fit beside the step's other blocks in Slack's 100-block view. */
export const MAX_CREDENTIALS = 90;
/** Room for a full 1,000-character justification even when escaping lengthens it, within a 3,000 section. */
const REVIEW_JUSTIFICATION_MAX = 2400;
const INPUT_LABEL_MAX = 2000;
const STATIC_OPTION_TEXT_MAX = 75;

export const STEP_NAMES: Record<WizardStep, string> = {
  general: 'General',
  devices: 'Devices',
  credentials: 'Credentials',
  limitation: 'Access limitation',
  review: 'Review',
};

export const UNIT_LABELS: Record<DurationUnit, string> = {
  minutes: 'Minutes',
  hours: 'Hours',
  days: 'Days',
  months: 'Months',
};
export const WEEKDAY_LABELS: Record<Weekday, string> = {
  monday: 'Monday',
  tuesday: 'Tuesday',
  wednesday: 'Wednesday',
  thursday: 'Thursday',
  friday: 'Friday',
  saturday: 'Saturday',
  sunday: 'Sunday',
};
export const TIME_PRESET_LABELS: Record<TimePreset, string> = {
  '08-12': '08:00–12:00',
  '12-16': '12:00–16:00',
  '16-20': '16:00–20:00',
  '20-24': '20:00–24:00',
  '00-04': '00:00–04:00',
  '04-08': '04:00–08:00',
};

function plain(text: string) {
  return { type: 'plain_text' as const, text, emoji: true };
}

function option(text: string, value: string): PlainTextOption {
  return { text: plain(cutText(text, STATIC_OPTION_TEXT_MAX)), value };
}

function context(text: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

function stepContext(step: WizardStep): KnownBlock {
  return context(`*${STEP_NAMES[step]}* · Step ${WIZARD_STEPS.indexOf(step) + 1} of ${WIZARD_STEPS.length}`);
}

function backButton(): KnownBlock {
  return {
    type: 'actions',
    block_id: WIZARD_NAVIGATION_BLOCK,
    elements: [{ type: 'button', action_id: WIZARD_BACK_ACTION, text: plain('Back'), value: 'back' }],
  };
}

function editButton(step: WizardStep): KnownBlock {
  return {
    type: 'actions',
    block_id: editBlockId(step),
    elements: [{ type: 'button', action_id: WIZARD_EDIT_ACTION, text: plain('Edit'), value: step }],
  };
}

function modal(step: WizardStep, draftId: string, blocks: KnownBlock[]): ModalView {
  return {
    type: 'modal',
    callback_id: WIZARD_CALLBACKS[step],
    private_metadata: writePrivateMetadata(wizardMetadata, { draftId }),
    title: plain(WIZARD_TITLE),
    close: plain('Cancel'),
    submit: plain(step === 'review' ? 'Create' : 'Next'),
    // Back sits under the fields; General is the first step and has nowhere to go back to.
    blocks: step === 'general' ? [stepContext(step), ...blocks] : [stepContext(step), ...blocks, backButton()],
  };
}

// ---------------------------------------------------------------------------------------------------------
// General

export interface GeneralStepInput {
  draftId: string;
  fileName: string;
  reasons: Array<{ id: number; name: string }>;
  governanceRequired: boolean;
  values?: GeneralAnswers;
}

export function buildGeneralStep(input: GeneralStepInput): ModalView {
  const reasonOptions = input.reasons.slice(0, 100).map((reason) => option(reason.name, String(reason.id)));
  const chosenReason = reasonOptions.find((reasonOption) => reasonOption.value === String(input.values?.reasonId));
  const blocks: KnownBlock[] = [
    mrkdwnSection(`*File:* ${mrkdwnText(input.fileName, 200)}`),
    {
      type: 'input',
      block_id: JUSTIFICATION_BLOCK,
      label: plain('Justification'),
      element: {
        type: 'plain_text_input',
        action_id: WIZARD_VALUE_ACTION,
        multiline: true,
        max_length: JUSTIFICATION_MAX,
        ...(input.values ? { initial_value: input.values.justification } : {}),
      },
    },
    {
      type: 'input',
      block_id: REASON_BLOCK,
      label: plain('Reason'),
      element: {
        type: 'static_select',
        action_id: WIZARD_VALUE_ACTION,
        placeholder: plain('Choose a reason'),
        // Slack refuses a static select without options; an empty list of reasons is a configuration problem
        // the handler reports before building this step.
        options: reasonOptions.length > 0 ? reasonOptions : [option('No reason available', '0')],
        ...(chosenReason ? { initial_option: chosenReason } : {}),
      },
    },
    {
      type: 'input',
      block_id: GOVERNANCE_CODE_BLOCK,
      label: plain('Governance code'),
      optional: !input.governanceRequired,
      hint: plain(
        input.governanceRequired
          ? 'Required for this request.'
          : 'Optional: fill it in when your organisation gave you one.',
      ),
      element: {
        type: 'plain_text_input',
        action_id: WIZARD_VALUE_ACTION,
        max_length: 200,
        ...(input.values?.governanceCode ? { initial_value: input.values.governanceCode } : {}),
      },
    },
  ];
  return modal('general', input.draftId, blocks);
}

// ---------------------------------------------------------------------------------------------------------
// Devices

export interface DevicesStepInput {
  draftId: string;
  chosen: Array<{ id: number; label: string }>;
}

export function buildDevicesStep(input: DevicesStepInput): ModalView {
  const initial = input.chosen.map((device) => ({ text: plain(cut(device.label)), value: `device:${device.id}` }));
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: DEVICES_BLOCK,
      label: plain('Devices'),
      // Required, so Slack does not label it "(optional)"; the app still checks "at least one" with its own words.
      element: {
        type: 'multi_external_select',
        action_id: WIZARD_DEVICES_SELECT_ACTION,
        min_query_length: 0,
        placeholder: plain('Search by name, product, type, site or domain'),
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    },
  ];
  return modal('devices', input.draftId, blocks);
}

// ---------------------------------------------------------------------------------------------------------
// Credentials

export interface CredentialsStepInput {
  draftId: string;
  chosen: Array<{ id: number; label: string; startSession: boolean; viewPassword: boolean }>;
  hint?: string;
}

export function buildCredentialsStep(input: CredentialsStepInput): ModalView {
  const kept = input.chosen.slice(0, MAX_CREDENTIALS);
  const initial = kept.map((credential) => ({
    text: plain(cut(credential.label)),
    value: `credential:${credential.id}`,
  }));
  const permissionOptions = [
    option('Start session', START_SESSION_VALUE),
    option('View password', VIEW_PASSWORD_VALUE),
  ];
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: CREDENTIALS_BLOCK,
      label: plain('Credentials'),
      // A change re-renders the step so every chosen credential gets its permission checkboxes.
      dispatch_action: true,
      hint: plain(cutText(input.hint ?? "Only the chosen devices' credentials are offered.", INPUT_LABEL_MAX)),
      element: {
        type: 'multi_external_select',
        action_id: WIZARD_CREDENTIALS_SELECT_ACTION,
        min_query_length: 0,
        max_selected_items: MAX_CREDENTIALS,
        placeholder: plain('Search by username, device or domain'),
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      },
    },
  ];
  for (const credential of kept) {
    const ticked = permissionOptions.filter((permission) =>
      permission.value === START_SESSION_VALUE ? credential.startSession : credential.viewPassword,
    );
    blocks.push({
      type: 'input',
      block_id: grantBlockId(credential.id),
      label: plain(cutText(credential.label, INPUT_LABEL_MAX)),
      // Every credential needs at least one permission: required, not "(optional)".
      element: {
        type: 'checkboxes',
        action_id: WIZARD_VALUE_ACTION,
        options: permissionOptions,
        ...(ticked.length > 0 ? { initial_options: ticked } : {}),
      },
    });
  }
  if (input.chosen.length > MAX_CREDENTIALS) {
    blocks.push(
      context(
        `A request holds at most ${MAX_CREDENTIALS} credentials: only the first ${MAX_CREDENTIALS} of the ` +
          `${input.chosen.length.toLocaleString('en-US')} chosen are kept.`,
      ),
    );
  }
  return modal('credentials', input.draftId, blocks);
}

// ---------------------------------------------------------------------------------------------------------
// Access limitation

export interface LimitationStepInput {
  draftId: string;
  timeZone: string;
  defaultStart: Date;
  values?: AccessLimitation;
}

export function buildLimitationStep(input: LimitationStepInput): ModalView {
  const values = input.values;
  const start = values ? Date.parse(values.start) : input.defaultStart.getTime();
  const times = values?.times ?? 'all_hours';
  const blocks: KnownBlock[] = [
    context(`Times and days are in ${mrkdwnText(input.timeZone)}`),
    ...startAndDurationInputs(start, values ? values.duration : { amount: 1, unit: 'days' }),
    ...daysAndTimesInputs(values?.days ?? 'every_day', times),
    ...customWindowInputs(times === 'all_hours' ? null : times.custom),
    ...sessionsInputs(values?.sessions ?? 'unlimited'),
  ];
  return modal('limitation', input.draftId, blocks);
}

/** The options of `options` whose values are chosen, as a checkbox element's initial options. */
function pick(options: PlainTextOption[], chosen: readonly string[]) {
  const ticked = options.filter((choice) => chosen.includes(choice.value ?? ''));
  return ticked.length > 0 ? { initial_options: ticked } : {};
}

/** The option of `options` whose value is chosen, as a select's or radio group's initial option. */
function pickOne(options: PlainTextOption[], chosen: string | undefined) {
  const found = options.find((choice) => choice.value === chosen);
  return found ? { initial_option: found } : {};
}

function startAndDurationInputs(start: number, duration: AccessLimitation['duration']): KnownBlock[] {
  const unitOptions = DURATION_UNITS.map((value) => option(UNIT_LABELS[value], value));
  return [
    {
      type: 'input',
      block_id: START_BLOCK,
      label: plain('Start'),
      element: {
        type: 'datetimepicker',
        action_id: WIZARD_VALUE_ACTION,
        ...(Number.isFinite(start) ? { initial_date_time: Math.floor(start / 1000) } : {}),
      },
    },
    {
      type: 'input',
      block_id: DURATION_BLOCK,
      label: plain('Duration'),
      element: {
        type: 'number_input',
        action_id: WIZARD_VALUE_ACTION,
        is_decimal_allowed: false,
        min_value: '1',
        initial_value: String(duration.amount),
      },
    },
    {
      type: 'input',
      block_id: UNIT_BLOCK,
      label: plain('Unit'),
      element: {
        type: 'static_select',
        action_id: WIZARD_VALUE_ACTION,
        options: unitOptions,
        ...pickOne(unitOptions, duration.unit),
      },
    },
  ];
}

function daysAndTimesInputs(days: AccessLimitation['days'], times: AccessLimitation['times']): KnownBlock[] {
  const dayOptions = [option('Every day', EVERY_DAY_VALUE), ...WEEKDAYS.map((day) => option(WEEKDAY_LABELS[day], day))];
  const timeOptions = [
    option('All hours', ALL_HOURS_VALUE),
    ...TIME_PRESETS.map((preset) => option(TIME_PRESET_LABELS[preset], preset)),
    option('Custom', CUSTOM_TIME_VALUE),
  ];
  const tickedDays = days === 'every_day' ? [EVERY_DAY_VALUE] : days;
  const tickedTimes: string[] =
    times === 'all_hours' ? [ALL_HOURS_VALUE] : [...times.presets, ...(times.custom ? [CUSTOM_TIME_VALUE] : [])];
  return [
    {
      type: 'input',
      block_id: DAYS_BLOCK,
      label: plain('Days'),
      element: {
        type: 'checkboxes',
        action_id: WIZARD_VALUE_ACTION,
        options: dayOptions,
        ...pick(dayOptions, tickedDays),
      },
    },
    {
      type: 'input',
      block_id: TIMES_BLOCK,
      label: plain('Times'),
      element: {
        type: 'checkboxes',
        action_id: WIZARD_VALUE_ACTION,
        options: timeOptions,
        ...pick(timeOptions, tickedTimes),
      },
    },
  ];
}

/**
 * The custom window's two selects, needed only when Custom is ticked: Slack cannot make an input required
 * depending on another, so they are optional for Slack (which labels them "(optional)"), the hint says when
 * they are needed, and the app asks for them then.
 */
function customWindowInputs(custom: CustomTimeWindow | null): KnownBlock[] {
  const quarterOptions = quarterHourOptions().map((time) => option(time, time));
  return [
    {
      type: 'input',
      block_id: CUSTOM_START_BLOCK,
      label: plain('Custom start'),
      optional: true,
      hint: plain('Needed when Custom is ticked in Times.'),
      element: {
        type: 'static_select',
        action_id: WIZARD_VALUE_ACTION,
        placeholder: plain('Choose a time'),
        options: quarterOptions,
        ...pickOne(quarterOptions, custom?.start),
      },
    },
    {
      type: 'input',
      block_id: CUSTOM_END_BLOCK,
      label: plain('Custom end'),
      optional: true,
      hint: plain('Needed when Custom is ticked in Times. An end before the start runs past midnight.'),
      element: {
        type: 'static_select',
        action_id: WIZARD_VALUE_ACTION,
        placeholder: plain('Choose a time'),
        options: quarterOptions,
        ...pickOne(quarterOptions, custom?.end),
      },
    },
  ];
}

function sessionsInputs(sessions: AccessLimitation['sessions']): KnownBlock[] {
  const sessionOptions = [option('Unlimited', UNLIMITED_SESSIONS_VALUE), option('Limited', LIMITED_SESSIONS_VALUE)];
  return [
    {
      type: 'input',
      block_id: SESSIONS_BLOCK,
      label: plain('Sessions'),
      element: {
        type: 'radio_buttons',
        action_id: WIZARD_VALUE_ACTION,
        options: sessionOptions,
        ...pickOne(sessionOptions, sessions === 'unlimited' ? UNLIMITED_SESSIONS_VALUE : LIMITED_SESSIONS_VALUE),
      },
    },
    {
      type: 'input',
      block_id: MAXIMUM_SESSIONS_BLOCK,
      label: plain('Maximum sessions'),
      // Needed only when Limited is chosen (Slack cannot make that depend on Sessions), hence optional for Slack.
      optional: true,
      hint: plain('Needed when Sessions is Limited; leave it empty for Unlimited.'),
      element: {
        type: 'number_input',
        action_id: WIZARD_VALUE_ACTION,
        is_decimal_allowed: false,
        min_value: '1',
        ...(sessions === 'unlimited' ? {} : { initial_value: String(sessions.maximum) }),
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Review

export interface ReviewStepInput {
  draftId: string;
  fileName: string;
  counts: { toCreateActive: number };
  general: { justification: string; reasonName: string; governanceCode: string | null };
  devices: string[];
  grants: GrantInWords[];
  limitationText: string;
}

export function buildReviewStep(input: ReviewStepInput): ModalView {
  const { general } = input;
  const blocks: KnownBlock[] = [
    mrkdwnSection(`*File:* ${mrkdwnText(input.fileName, 200)}\n${usersLine(input.counts.toCreateActive)}`),
    { type: 'divider' },
    mrkdwnSection(
      [
        '*General*',
        `*Justification:* ${mrkdwnText(general.justification, REVIEW_JUSTIFICATION_MAX)}`,
        `*Reason:* ${mrkdwnText(general.reasonName, 200)}`,
        `*Governance code:* ${general.governanceCode ? mrkdwnText(general.governanceCode, 200) : '—'}`,
      ].join('\n'),
    ),
    editButton('general'),
    mrkdwnSection(
      `*Devices* (${input.devices.length.toLocaleString('en-US')})\n${bulletList(input.devices.map((device) => mrkdwnText(device)))}`,
    ),
    editButton('devices'),
    mrkdwnSection(
      `*Credentials* (${input.grants.length.toLocaleString('en-US')})\n${bulletList(input.grants.map(grantLine))}`,
    ),
    editButton('credentials'),
    mrkdwnSection(`*Access limitation*\n${mrkdwnText(input.limitationText, 1000)}`),
    editButton('limitation'),
  ];
  return modal('review', input.draftId, blocks);
}
