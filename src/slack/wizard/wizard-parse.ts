// Reading the wizard's submissions (README, "Automatically provide access after import"): view.state.values →
// draft answers, or field errors keyed by the block ids of ids.ts, ready for `response_action: errors`. Pure.
// The values come from the user's client, so anything unexpected (a crafted option value, a missing block) is
// treated as not chosen.
import { DURATION_UNITS, TIME_PRESETS, WEEKDAYS } from '../../domain/access-limitation.ts';
import type {
  AccessLimitation,
  DurationUnit,
  LimitationField,
  LimitationProblem,
  TimePreset,
  Weekday,
} from '../../domain/access-limitation.ts';
import { JUSTIFICATION_MAX } from '../../domain/request-draft.ts';
import type { CredentialGrant, GeneralAnswers } from '../../domain/request-draft.ts';
import { parseOptionValue } from '../../usecases/search-catalog.ts';
import type { OptionKind } from '../../usecases/search-catalog.ts';
import { readPrivateMetadata, wizardMetadata } from '../private-metadata.ts';
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
  WIZARD_CREDENTIALS_SELECT_ACTION,
  WIZARD_DEVICES_SELECT_ACTION,
  WIZARD_VALUE_ACTION,
  grantBlockId,
} from '../ids.ts';

/** The part of Bolt's ViewStateValue these parsers read; Bolt's type is assignable to it. */
export interface StateValue {
  type: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: Array<{ value: string }>;
  selected_date_time?: number | null;
}
export type StateValues = Record<string, Record<string, StateValue>>;

/** Error messages keyed by block id, for `response_action: errors`. */
export type FieldErrors = Record<string, string>;
export type Parsed<T> = ({ ok: true } & T) | { ok: false; errors: FieldErrors };

function field(values: StateValues, blockId: string, actionId = WIZARD_VALUE_ACTION): StateValue | undefined {
  return values[blockId]?.[actionId];
}

function selectedValue(values: StateValues, blockId: string): string | undefined {
  return field(values, blockId)?.selected_option?.value ?? undefined;
}

function selectedValues(values: StateValues, blockId: string, actionId = WIZARD_VALUE_ACTION): string[] {
  return (field(values, blockId, actionId)?.selected_options ?? []).map((choice) => choice.value);
}

function textValue(values: StateValues, blockId: string): string {
  return (field(values, blockId)?.value ?? '').trim();
}

/** Characters as Slack counts them (code points), so the message matches what the user sees. */
function characters(text: string): number {
  return [...text].length;
}

/** A whole number ≥ 1 typed into a number input, or null. */
function positiveWhole(text: string): number | null {
  if (!/^\d{1,9}$/.test(text)) return null;
  const number = Number(text);
  return number >= 1 ? number : null;
}

/**
 * The draft a wizard view names, or undefined when it is not ours or was tampered with: the builders' round
 * trip, which test/unit/wizard-views.test.ts checks; the listeners read the same schema through readPrivateMetadata.
 */
export function parseWizardMetadata(privateMetadata: string): { draftId: string } | undefined {
  return readPrivateMetadata(wizardMetadata, privateMetadata);
}

// ---------------------------------------------------------------------------------------------------------
// General

export function parseGeneral(
  values: StateValues,
  options: { governanceRequired: boolean },
): Parsed<{ answers: GeneralAnswers }> {
  const errors: FieldErrors = {};
  const justification = textValue(values, JUSTIFICATION_BLOCK);
  const length = characters(justification);
  if (length === 0) {
    errors[JUSTIFICATION_BLOCK] = 'Enter a justification';
  } else if (length > JUSTIFICATION_MAX) {
    errors[JUSTIFICATION_BLOCK] =
      `The justification is ${length.toLocaleString('en-US')} characters long: ` +
      `keep it to ${JUSTIFICATION_MAX.toLocaleString('en-US')} or fewer`;
  }
  const reasonId = positiveWhole(selectedValue(values, REASON_BLOCK) ?? '');
  if (reasonId === null) errors[REASON_BLOCK] = 'Choose a reason';
  const governanceCode = textValue(values, GOVERNANCE_CODE_BLOCK);
  if (governanceCode === '' && options.governanceRequired) {
    errors[GOVERNANCE_CODE_BLOCK] = 'Enter the governance code: this request needs one';
  }
  if (Object.keys(errors).length > 0 || reasonId === null) return { ok: false, errors };
  return {
    ok: true,
    answers: { justification, reasonId, governanceCode: governanceCode === '' ? null : governanceCode },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Devices and credentials

/** The ids of the chosen options of one kind, in the order chosen, once each; anything else is dropped. */
function catalogIds(selected: string[], kind: OptionKind): number[] {
  const ids: number[] = [];
  for (const value of selected) {
    const parsed = parseOptionValue(value);
    if (parsed?.kind === kind && !ids.includes(parsed.id)) ids.push(parsed.id);
  }
  return ids;
}

export function parseDeviceIds(values: StateValues): Parsed<{ deviceIds: number[] }> {
  const deviceIds = catalogIds(selectedValues(values, DEVICES_BLOCK, WIZARD_DEVICES_SELECT_ACTION), 'device');
  if (deviceIds.length === 0) return { ok: false, errors: { [DEVICES_BLOCK]: 'Choose at least one device' } };
  return { ok: true, deviceIds };
}

/** The credentials chosen in the Credentials select, e.g. to re-render the step when the choice changes. */
export function parseCredentialIds(values: StateValues): number[] {
  return catalogIds(selectedValues(values, CREDENTIALS_BLOCK, WIZARD_CREDENTIALS_SELECT_ACTION), 'credential');
}

/**
 * The permissions ticked for each of `chosenIds` (the credentials the step shows). A credential whose
 * checkboxes are missing from the state (chosen after the last re-render) cannot be keyed by its own block,
 * so that error goes under Credentials.
 */
export function parseGrants(values: StateValues, chosenIds: readonly number[]): Parsed<{ grants: CredentialGrant[] }> {
  if (chosenIds.length === 0) return { ok: false, errors: { [CREDENTIALS_BLOCK]: 'Choose at least one credential' } };
  const errors: FieldErrors = {};
  const grants: CredentialGrant[] = [];
  for (const credentialId of chosenIds) {
    const grant = parseGrant(values, credentialId);
    if (grant === undefined) {
      errors[CREDENTIALS_BLOCK] = 'Choose Start session, View password or both for every credential';
      continue;
    }
    if (!grant.startSession && !grant.viewPassword)
      errors[grantBlockId(credentialId)] = 'Choose Start session, View password or both';
    grants.push(grant);
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, grants };
}

/** The permissions ticked for one credential, or undefined when its checkboxes are not in the state. */
export function parseGrant(values: StateValues, credentialId: number): CredentialGrant | undefined {
  const blockId = grantBlockId(credentialId);
  if (values[blockId] === undefined) return undefined;
  const ticked = selectedValues(values, blockId);
  return {
    credentialId,
    startSession: ticked.includes(START_SESSION_VALUE),
    viewPassword: ticked.includes(VIEW_PASSWORD_VALUE),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Access limitation

/** Where each field of validateLimitation's problems is shown in the Access limitation step. */
export const LIMITATION_FIELD_BLOCKS: Record<LimitationField, string> = {
  start: START_BLOCK,
  duration: DURATION_BLOCK,
  days: DAYS_BLOCK,
  times: TIMES_BLOCK,
  sessions: MAXIMUM_SESSIONS_BLOCK,
};

/** validateLimitation's problems as field errors: the first problem of each block, in the form's order. */
export function limitationErrors(problems: readonly LimitationProblem[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const problem of problems) {
    const blockId = LIMITATION_FIELD_BLOCKS[problem.field];
    errors[blockId] ??= problem.message;
  }
  return errors;
}

function isOneOf<T extends string>(list: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (list as readonly string[]).includes(value);
}

/**
 * The form's answers as an AccessLimitation in `timeZone`, or the problems only the form has (empty or
 * contradictory choices). Rules that need the clock or the contract end are the caller's, through
 * validateLimitation and limitationErrors.
 */
export function parseLimitation(values: StateValues, timeZone: string): Parsed<{ limitation: AccessLimitation }> {
  const errors: FieldErrors = {};

  const seconds = field(values, START_BLOCK)?.selected_date_time;
  const start = typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : null;
  if (start === null || Number.isNaN(start.getTime())) errors[START_BLOCK] = 'Choose a start date and time';

  const amount = positiveWhole(textValue(values, DURATION_BLOCK));
  if (amount === null) errors[DURATION_BLOCK] = 'Duration must be a whole number of at least 1';

  const unitValue = selectedValue(values, UNIT_BLOCK);
  const unit: DurationUnit | null = isOneOf(DURATION_UNITS, unitValue) ? unitValue : null;
  if (unit === null) errors[UNIT_BLOCK] = 'Choose a unit';

  const days = parseDays(values, errors);
  const times = parseTimes(values, errors);
  const sessions = parseSessions(values, errors);

  if (Object.keys(errors).length > 0 || start === null || amount === null || unit === null)
    return { ok: false, errors };
  return {
    ok: true,
    limitation: { start: start.toISOString(), duration: { amount, unit }, days, times, sessions, timeZone },
  };
}

// Each of the three below reads one part of the Access limitation step, adding its problems to `errors`.
// Contradictory ticks are refused under their field rather than one silently winning: the user says which they
// meant.

function parseDays(values: StateValues, errors: FieldErrors): AccessLimitation['days'] {
  // Ticks are read in the form's order (Monday first), whatever order the client sends them in.
  const dayTicks = selectedValues(values, DAYS_BLOCK);
  const weekdays: Weekday[] = WEEKDAYS.filter((day) => dayTicks.includes(day));
  if (!dayTicks.includes(EVERY_DAY_VALUE)) {
    if (weekdays.length === 0) errors[DAYS_BLOCK] = 'Choose at least one day';
    return weekdays;
  }
  if (weekdays.length > 0) errors[DAYS_BLOCK] = 'Tick Every day or particular days, not both';
  return 'every_day';
}

function parseTimes(values: StateValues, errors: FieldErrors): AccessLimitation['times'] {
  const timeTicks = selectedValues(values, TIMES_BLOCK);
  const presets: TimePreset[] = TIME_PRESETS.filter((preset) => timeTicks.includes(preset));
  const customTicked = timeTicks.includes(CUSTOM_TIME_VALUE);
  if (timeTicks.includes(ALL_HOURS_VALUE)) {
    if (presets.length > 0 || customTicked)
      errors[TIMES_BLOCK] = 'Tick All hours or particular times (presets or Custom), not both';
    return 'all_hours';
  }
  if (presets.length === 0 && !customTicked) errors[TIMES_BLOCK] = 'Choose at least one time window';
  if (!customTicked) return { presets, custom: null };
  const customStart = selectedValue(values, CUSTOM_START_BLOCK);
  const customEnd = selectedValue(values, CUSTOM_END_BLOCK);
  if (customStart === undefined) errors[CUSTOM_START_BLOCK] = 'Choose when the custom window starts';
  if (customEnd === undefined) errors[CUSTOM_END_BLOCK] = 'Choose when the custom window ends';
  if (customStart === undefined || customEnd === undefined) return { presets, custom: null };
  if (customStart === customEnd) errors[CUSTOM_END_BLOCK] = 'The custom window is empty: choose a different end';
  return { presets, custom: { start: customStart, end: customEnd } };
}

function parseSessions(values: StateValues, errors: FieldErrors): AccessLimitation['sessions'] {
  const sessionsChoice = selectedValue(values, SESSIONS_BLOCK);
  const maximumText = textValue(values, MAXIMUM_SESSIONS_BLOCK);
  if (sessionsChoice === LIMITED_SESSIONS_VALUE) {
    const maximum = positiveWhole(maximumText);
    if (maximum !== null) return { maximum };
    errors[MAXIMUM_SESSIONS_BLOCK] = 'Enter a maximum of at least 1 session';
  } else if (sessionsChoice !== UNLIMITED_SESSIONS_VALUE) {
    errors[SESSIONS_BLOCK] = 'Choose Unlimited or Limited';
  } else if (maximumText !== '') {
    errors[MAXIMUM_SESSIONS_BLOCK] = 'Sessions are Unlimited: clear the maximum, or choose Limited';
  }
  return 'unlimited';
}
