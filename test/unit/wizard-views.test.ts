import type { KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { describeLimitation, quarterHourOptions } from '../../src/domain/access-limitation.ts';
import type { AccessLimitation } from '../../src/domain/access-limitation.ts';
import { buildRequestCard } from '../../src/slack/blocks/request-card.ts';
import type { RequestCardInput } from '../../src/slack/blocks/request-card.ts';
import * as ids from '../../src/slack/ids.ts';
import {
  LIMITATION_FIELD_BLOCKS,
  limitationErrors,
  parseCredentialIds,
  parseDeviceIds,
  parseGeneral,
  parseGrants,
  parseLimitation,
  parseWizardMetadata,
} from '../../src/slack/wizard/wizard-parse.ts';
import type { StateValue, StateValues } from '../../src/slack/wizard/wizard-parse.ts';
import {
  MAX_CREDENTIALS,
  buildCredentialsStep,
  buildDevicesStep,
  buildGeneralStep,
  buildLimitationStep,
  buildReviewStep,
} from '../../src/slack/wizard/wizard-views.ts';
import { defaultStart as defaultStartAt } from '../../src/slack/wizard/wizard-step-view.ts';
import { checkMessage, checkView } from '../support/block-kit-limits.ts';

const draftId = '6f1c2d1e-0000-4000-8000-000000000001';
const reasons = [
  { id: 1, name: 'Maintenance' },
  { id: 2, name: 'Incident' },
];

type AnyBlock = Record<string, unknown> & { type: string; block_id?: string };

function blocksOf(view: ModalView): AnyBlock[] {
  return view.blocks as unknown as AnyBlock[];
}

function inputLabels(view: ModalView): string[] {
  return blocksOf(view)
    .filter((block) => block.type === 'input')
    .map((block) => (block['label'] as { text: string }).text);
}

function input(view: ModalView, blockId: string): AnyBlock & { element: Record<string, unknown> } {
  const found = blocksOf(view).find((block) => block.block_id === blockId);
  if (!found || found.type !== 'input') throw new Error(`no input block ${blockId}`);
  return found as AnyBlock & { element: Record<string, unknown> };
}

function optionTexts(element: Record<string, unknown>): string[] {
  return (element['options'] as Array<{ text: { text: string } }>).map((option) => option.text.text);
}

function allText(view: { blocks?: unknown }): string {
  return JSON.stringify(view.blocks);
}

/** What Slack would send back as view.state.values if the user submitted the view untouched. */
function stateOf(view: ModalView): StateValues {
  const values: StateValues = {};
  for (const block of blocksOf(view)) {
    if (block.type !== 'input' || !block.block_id) continue;
    const element = block['element'] as Record<string, unknown> & { type: string; action_id: string };
    const value: StateValue = { type: element.type };
    if (element.type === 'plain_text_input' || element.type === 'number_input') {
      value.value = (element['initial_value'] as string | undefined) ?? null;
    } else if (element.type === 'static_select' || element.type === 'radio_buttons') {
      value.selected_option = (element['initial_option'] as { value: string } | undefined) ?? null;
    } else if (element.type === 'datetimepicker') {
      value.selected_date_time = (element['initial_date_time'] as number | undefined) ?? null;
    } else {
      value.selected_options = (element['initial_options'] as Array<{ value: string }> | undefined) ?? [];
    }
    values[block.block_id] = { [element.action_id]: value };
  }
  return values;
}

function expectWizardShell(view: ModalView, callbackId: string, submit: string) {
  expect(checkView(view)).toEqual([]);
  expect(view.title.text).toBe('Request access');
  expect(view.close?.text).toBe('Cancel');
  expect(view.submit?.text).toBe(submit);
  expect(view.callback_id).toBe(callbackId);
  expect(JSON.parse(view.private_metadata ?? '')).toEqual({ draftId });
  expect(parseWizardMetadata(view.private_metadata ?? '')).toEqual({ draftId });
}

function hasBack(view: ModalView): boolean {
  return allText(view).includes(`"action_id":"${ids.WIZARD_BACK_ACTION}"`);
}

describe('wizard ids', () => {
  it('maps callback ids to steps and back', () => {
    for (const [step, callbackId] of Object.entries(ids.WIZARD_CALLBACKS)) {
      expect(ids.stepOfCallback(callbackId)).toBe(step);
    }
    expect(ids.WIZARD_CALLBACKS.limitation).toBe('wizard_limitation');
    expect(ids.stepOfCallback('import_modal')).toBeUndefined();
  });
});

describe('General step', () => {
  it('has the labels people and docs rely on, no Back, and the file name read-only', () => {
    const view = buildGeneralStep({ draftId, fileName: 'vendors <x>.xlsx', reasons, governanceRequired: false });
    expectWizardShell(view, 'wizard_general', 'Next');
    expect(inputLabels(view)).toEqual(['Justification', 'Reason', 'Governance code']);
    expect(hasBack(view)).toBe(false);
    expect(allText(view)).toContain('Step 1 of 5');
    expect(allText(view)).toContain('vendors &lt;x&gt;.xlsx');
    expect(input(view, ids.JUSTIFICATION_BLOCK).element).toMatchObject({ multiline: true, max_length: 1000 });
    expect(input(view, ids.GOVERNANCE_CODE_BLOCK).optional).toBe(true);
    expect(optionTexts(input(view, ids.REASON_BLOCK).element)).toEqual(['Maintenance', 'Incident']);
  });

  it('shows saved answers and a required governance code', () => {
    const values = { justification: 'Quarterly patching', reasonId: 2, governanceCode: 'GOV-7' };
    const view = buildGeneralStep({ draftId, fileName: 'a.csv', reasons, governanceRequired: true, values });
    expect(checkView(view)).toEqual([]);
    expect(input(view, ids.GOVERNANCE_CODE_BLOCK).optional).toBe(false);
    expect(parseGeneral(stateOf(view), { governanceRequired: true })).toEqual({ ok: true, answers: values });
  });
});

describe('Devices step', () => {
  it('is a searchable multi select holding the chosen devices', () => {
    const chosen = [
      { id: 3, label: 'db-prod-01 · PostgreSQL' },
      { id: 9, label: 'x'.repeat(300) },
    ];
    const view = buildDevicesStep({ draftId, chosen });
    expectWizardShell(view, 'wizard_devices', 'Next');
    expect(hasBack(view)).toBe(true);
    expect(allText(view)).toContain('Step 2 of 5');
    expect(inputLabels(view)).toEqual(['Devices']);
    const devices = input(view, ids.DEVICES_BLOCK);
    // Required (the app refuses none): Slack must not label it "(optional)".
    expect(devices.optional ?? false).toBe(false);
    expect(devices.element).toMatchObject({
      type: 'multi_external_select',
      action_id: 'wizard_devices_select',
      min_query_length: 0,
      placeholder: { text: 'Search by name, product, type, site or domain' },
    });
    expect(parseDeviceIds(stateOf(view))).toEqual({ ok: true, deviceIds: [3, 9] });
  });

  it('asks for at least one device and ignores values that are not devices', () => {
    expect(parseDeviceIds({})).toEqual({ ok: false, errors: { devices: 'Choose at least one device' } });
    const values: StateValues = {
      devices: {
        wizard_devices_select: {
          type: 'multi_external_select',
          selected_options: [
            { value: 'credential:4' },
            { value: 'device:abc' },
            { value: 'device:5' },
            { value: 'device:5' },
          ],
        },
      },
    };
    expect(parseDeviceIds(values)).toEqual({ ok: true, deviceIds: [5] });
  });
});

describe('Credentials step', () => {
  const chosen = [
    { id: 11, label: 'postgres @ db-prod-01', startSession: true, viewPassword: false },
    { id: 12, label: 'root @ web-01', startSession: true, viewPassword: true },
  ];

  it('has the select and one checkbox block per credential, labelled with the credential', () => {
    const view = buildCredentialsStep({ draftId, chosen });
    expectWizardShell(view, 'wizard_credentials', 'Next');
    expect(hasBack(view)).toBe(true);
    expect(inputLabels(view)).toEqual(['Credentials', 'postgres @ db-prod-01', 'root @ web-01']);
    const select = input(view, ids.CREDENTIALS_BLOCK);
    expect(select.dispatch_action).toBe(true);
    expect(select.element).toMatchObject({
      type: 'multi_external_select',
      action_id: 'wizard_credentials_select',
      min_query_length: 0,
    });
    expect(select.optional ?? false).toBe(false);
    const grant = input(view, 'grant_11');
    expect(grant.optional ?? false).toBe(false);
    expect(optionTexts(grant.element)).toEqual(['Start session', 'View password']);
    const state = stateOf(view);
    expect(parseCredentialIds(state)).toEqual([11, 12]);
    expect(parseGrants(state, parseCredentialIds(state))).toEqual({
      ok: true,
      grants: [
        { credentialId: 11, startSession: true, viewPassword: false },
        { credentialId: 12, startSession: true, viewPassword: true },
      ],
    });
  });

  it('asks for a permission per credential and at least one credential', () => {
    const view = buildCredentialsStep({
      draftId,
      chosen: chosen.map((c) => ({ ...c, startSession: false, viewPassword: false })),
    });
    expect(checkView(view)).toEqual([]);
    expect(parseGrants(stateOf(view), [11, 12])).toEqual({
      ok: false,
      errors: {
        grant_11: 'Choose Start session, View password or both',
        grant_12: 'Choose Start session, View password or both',
      },
    });
    expect(parseGrants({}, [])).toEqual({ ok: false, errors: { credentials: 'Choose at least one credential' } });
    // Chosen after the last re-render: no block of its own yet, so the error goes under Credentials.
    expect(parseGrants(stateOf(view), [13])).toMatchObject({ ok: false, errors: { credentials: expect.any(String) } });
  });

  it('keeps at most 90 credentials within the 100-block limit and says so', () => {
    const many = Array.from({ length: 150 }, (_, index) => ({
      id: index + 1,
      label: `${'user'.repeat(30)}${index} @ ${'device'.repeat(400)}`,
      startSession: index % 2 === 0,
      viewPassword: true,
    }));
    const view = buildCredentialsStep({ draftId, chosen: many, hint: 'Only the credentials of db-prod-01 and 4 more' });
    expect(checkView(view)).toEqual([]);
    expect(inputLabels(view)).toHaveLength(1 + MAX_CREDENTIALS);
    expect(allText(view)).toContain('at most 90 credentials');
    expect(parseCredentialIds(stateOf(view))).toHaveLength(90);
  });
});

describe('Access limitation step', () => {
  const timeZone = 'America/Sao_Paulo';
  const defaultStart = new Date('2026-12-03T12:00:00.000Z');

  it('has the labels people and docs rely on and options, with the defaults', () => {
    const view = buildLimitationStep({ draftId, timeZone, defaultStart });
    expectWizardShell(view, 'wizard_limitation', 'Next');
    expect(hasBack(view)).toBe(true);
    expect(allText(view)).toContain('Times and days are in America/Sao_Paulo');
    expect(allText(view)).toContain('Step 4 of 5');
    expect(inputLabels(view)).toEqual([
      'Start',
      'Duration',
      'Unit',
      'Days',
      'Times',
      'Custom start',
      'Custom end',
      'Sessions',
      'Maximum sessions',
    ]);
    expect(optionTexts(input(view, ids.UNIT_BLOCK).element)).toEqual(['Minutes', 'Hours', 'Days', 'Months']);
    expect(optionTexts(input(view, ids.DAYS_BLOCK).element)).toEqual([
      'Every day',
      'Monday',
      'Tuesday',
      'Wednesday',
      'Thursday',
      'Friday',
      'Saturday',
      'Sunday',
    ]);
    expect(optionTexts(input(view, ids.TIMES_BLOCK).element)).toEqual([
      'All hours',
      '08:00–12:00',
      '12:00–16:00',
      '16:00–20:00',
      '20:00–24:00',
      '00:00–04:00',
      '04:00–08:00',
      'Custom',
    ]);
    const customStart = optionTexts(input(view, ids.CUSTOM_START_BLOCK).element);
    expect(customStart).toEqual(quarterHourOptions());
    expect(customStart[0]).toBe('00:00');
    expect(customStart.at(-1)).toBe('23:45');
    expect(optionTexts(input(view, ids.SESSIONS_BLOCK).element)).toEqual(['Unlimited', 'Limited']);
    expect(input(view, ids.DURATION_BLOCK).element).toMatchObject({
      type: 'number_input',
      is_decimal_allowed: false,
      min_value: '1',
    });
    // Only the fields needed when another answer asks for them are optional for Slack, and their hint says when.
    for (const optional of [ids.CUSTOM_START_BLOCK, ids.CUSTOM_END_BLOCK, ids.MAXIMUM_SESSIONS_BLOCK]) {
      expect(input(view, optional).optional).toBe(true);
      expect((input(view, optional)['hint'] as { text: string }).text).toMatch(/^Needed when /);
    }
    for (const required of [ids.START_BLOCK, ids.DURATION_BLOCK, ids.UNIT_BLOCK, ids.DAYS_BLOCK, ids.TIMES_BLOCK]) {
      expect(input(view, required).optional ?? false).toBe(false);
    }
    expect(input(view, ids.SESSIONS_BLOCK).optional ?? false).toBe(false);
    expect(input(view, ids.START_BLOCK).element['initial_date_time']).toBe(defaultStart.getTime() / 1000);
    expect(parseLimitation(stateOf(view), timeZone)).toEqual({
      ok: true,
      limitation: {
        start: '2026-12-03T12:00:00.000Z',
        duration: { amount: 1, unit: 'days' },
        days: 'every_day',
        times: 'all_hours',
        sessions: 'unlimited',
        timeZone,
      },
    });
  });

  it.each<AccessLimitation>([
    {
      start: '2026-12-03T12:15:00.000Z',
      duration: { amount: 2, unit: 'months' },
      days: ['monday', 'wednesday', 'friday'],
      times: { presets: ['08-12', '20-24'], custom: { start: '22:30', end: '01:45' } },
      sessions: { maximum: 10 },
      timeZone: 'America/Sao_Paulo',
    },
    {
      start: '2027-01-10T08:00:00.000Z',
      duration: { amount: 90, unit: 'minutes' },
      days: 'every_day',
      times: { presets: ['00-04'], custom: null },
      sessions: 'unlimited',
      timeZone: 'America/Sao_Paulo',
    },
  ])('round-trips a saved limitation (%#)', (limitation) => {
    const view = buildLimitationStep({ draftId, timeZone, defaultStart, values: limitation });
    expect(checkView(view)).toEqual([]);
    expect(parseLimitation(stateOf(view), timeZone)).toEqual({ ok: true, limitation });
  });

  function limitationState(changes: Record<string, StateValue>): StateValues {
    const state = stateOf(buildLimitationStep({ draftId, timeZone, defaultStart }));
    for (const [blockId, value] of Object.entries(changes)) state[blockId] = { value };
    return state;
  }

  it.each<[string, Record<string, StateValue>, Record<string, string>]>([
    [
      'a duration of 0',
      { duration: { type: 'number_input', value: '0' } },
      { duration: 'Duration must be a whole number of at least 1' },
    ],
    [
      'a decimal duration',
      { duration: { type: 'number_input', value: '1.5' } },
      { duration: 'Duration must be a whole number of at least 1' },
    ],
    ['no day', { days: { type: 'checkboxes', selected_options: [] } }, { days: 'Choose at least one day' }],
    ['no time', { times: { type: 'checkboxes', selected_options: [] } }, { times: 'Choose at least one time window' }],
    [
      'Custom without times',
      { times: { type: 'checkboxes', selected_options: [{ value: 'custom' }] } },
      { custom_start: 'Choose when the custom window starts', custom_end: 'Choose when the custom window ends' },
    ],
    [
      'an empty custom window',
      {
        times: { type: 'checkboxes', selected_options: [{ value: 'custom' }] },
        custom_start: { type: 'static_select', selected_option: { value: '10:00' } },
        custom_end: { type: 'static_select', selected_option: { value: '10:00' } },
      },
      { custom_end: 'The custom window is empty: choose a different end' },
    ],
    [
      'Limited without a maximum',
      { sessions: { type: 'radio_buttons', selected_option: { value: 'limited' } } },
      { maximum_sessions: 'Enter a maximum of at least 1 session' },
    ],
    [
      'Limited with 0',
      {
        sessions: { type: 'radio_buttons', selected_option: { value: 'limited' } },
        maximum_sessions: { type: 'number_input', value: '0' },
      },
      { maximum_sessions: 'Enter a maximum of at least 1 session' },
    ],
    [
      'no start',
      { start: { type: 'datetimepicker', selected_date_time: null } },
      { start: 'Choose a start date and time' },
    ],
    ['no unit', { unit: { type: 'static_select', selected_option: null } }, { unit: 'Choose a unit' }],
    [
      'no sessions choice',
      { sessions: { type: 'radio_buttons', selected_option: null } },
      { sessions: 'Choose Unlimited or Limited' },
    ],
    [
      'Every day with a weekday',
      { days: { type: 'checkboxes', selected_options: [{ value: 'every_day' }, { value: 'monday' }] } },
      { days: 'Tick Every day or particular days, not both' },
    ],
    [
      'All hours with a preset',
      { times: { type: 'checkboxes', selected_options: [{ value: 'all_hours' }, { value: '08-12' }] } },
      { times: 'Tick All hours or particular times (presets or Custom), not both' },
    ],
    [
      'All hours with Custom',
      {
        times: { type: 'checkboxes', selected_options: [{ value: 'custom' }, { value: 'all_hours' }] },
        custom_start: { type: 'static_select', selected_option: { value: '10:00' } },
        custom_end: { type: 'static_select', selected_option: { value: '12:00' } },
      },
      { times: 'Tick All hours or particular times (presets or Custom), not both' },
    ],
    [
      'Unlimited with a maximum',
      {
        sessions: { type: 'radio_buttons', selected_option: { value: 'unlimited' } },
        maximum_sessions: { type: 'number_input', value: '3' },
      },
      { maximum_sessions: 'Sessions are Unlimited: clear the maximum, or choose Limited' },
    ],
  ])('refuses %s under the right block', (_name, changes, errors) => {
    expect(parseLimitation(limitationState(changes), timeZone)).toEqual({ ok: false, errors });
  });

  it('reads weekdays Monday first, ignoring values that are not on the form', () => {
    const parsed = parseLimitation(
      limitationState({
        days: { type: 'checkboxes', selected_options: [{ value: 'sunday' }, { value: 'monday' }, { value: 'bogus' }] },
        times: { type: 'checkboxes', selected_options: [{ value: '12-16' }, { value: '08-12' }] },
      }),
      timeZone,
    );
    expect(parsed).toMatchObject({
      ok: true,
      limitation: { days: ['monday', 'sunday'], times: { presets: ['08-12', '12-16'], custom: null } },
    });
  });

  it('defaults Start to a quarter hour at least 15 minutes ahead, so it does not pass while the step is filled in', () => {
    const now = new Date('2026-12-03T12:14:50.000Z');
    expect(defaultStartAt(now, timeZone).toISOString()).toBe('2026-12-03T12:30:00.000Z');
    expect(defaultStartAt(new Date('2026-12-03T12:00:00.000Z'), timeZone).toISOString()).toBe(
      '2026-12-03T12:30:00.000Z',
    );
    const lead = defaultStartAt(now, timeZone).getTime() - now.getTime();
    expect(lead).toBeGreaterThanOrEqual(15 * 60_000);
    expect(lead).toBeLessThanOrEqual(30 * 60_000);
  });

  it('maps validateLimitation fields to blocks', () => {
    expect(LIMITATION_FIELD_BLOCKS).toEqual({
      start: 'start',
      duration: 'duration',
      days: 'days',
      times: 'times',
      sessions: 'maximum_sessions',
    });
    expect(
      limitationErrors([
        { field: 'start', message: 'Start is in the past' },
        { field: 'start', message: 'second' },
        { field: 'sessions', message: 'Maximum sessions must be at least 1' },
      ]),
    ).toEqual({ start: 'Start is in the past', maximum_sessions: 'Maximum sessions must be at least 1' });
  });
});

describe('General parsing', () => {
  function generalState(justification: string | null, reason: string | null, code: string | null): StateValues {
    return {
      justification: { value: { type: 'plain_text_input', value: justification } },
      reason: { value: { type: 'static_select', selected_option: reason === null ? null : { value: reason } } },
      governance_code: { value: { type: 'plain_text_input', value: code } },
    };
  }

  it('trims and turns an empty governance code into null', () => {
    expect(parseGeneral(generalState('  Patch  ', '1', '  '), { governanceRequired: false })).toEqual({
      ok: true,
      answers: { justification: 'Patch', reasonId: 1, governanceCode: null },
    });
  });

  it('keys every error by its block', () => {
    expect(parseGeneral(generalState(null, null, null), { governanceRequired: true })).toEqual({
      ok: false,
      errors: {
        justification: 'Enter a justification',
        reason: 'Choose a reason',
        governance_code: 'Enter the governance code: this request needs one',
      },
    });
    expect(parseGeneral(generalState('x'.repeat(1234), 'abc', null), { governanceRequired: false })).toEqual({
      ok: false,
      errors: {
        justification: 'The justification is 1,234 characters long: keep it to 1,000 or fewer',
        reason: 'Choose a reason',
      },
    });
    expect(parseGeneral(generalState('😀'.repeat(1000), '2', null), { governanceRequired: false })).toMatchObject({
      ok: true,
    });
  });
});

const manyDevices = Array.from({ length: 5000 }, (_, index) => `device-${index} <&> ${'long name '.repeat(40)}`);
const manyGrants = Array.from({ length: 5000 }, (_, index) => ({
  label: `user${index} @ ${'db-prod '.repeat(30)}`,
  startSession: true,
  viewPassword: index % 2 === 0,
}));
const limitationText = describeLimitation({
  start: '2026-12-03T12:00:00.000Z',
  duration: { amount: 2, unit: 'months' },
  days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
  times: { presets: ['08-12'], custom: null },
  sessions: { maximum: 10 },
  timeZone: 'America/Sao_Paulo',
});

describe('Review step', () => {
  const base = {
    draftId,
    fileName: 'vendors.xlsx',
    counts: { toCreateActive: 8 },
    general: { justification: 'Patch <!channel>', reasonName: 'Maintenance', governanceCode: null },
    devices: ['db-prod-01 · PostgreSQL'],
    grants: [{ label: 'postgres @ db-prod-01', startSession: true, viewPassword: true }],
    limitationText,
  };

  it('shows everything in words with Edit per section, Back and Create', () => {
    const view = buildReviewStep(base);
    expectWizardShell(view, 'wizard_review', 'Create');
    expect(hasBack(view)).toBe(true);
    const text = allText(view);
    expect(text).toContain('Step 5 of 5');
    expect(text).toContain('8 users to be given access');
    expect(text).toContain('Patch &lt;!channel&gt;');
    expect(text).toContain('postgres @ db-prod-01 — Start session, View password');
    expect(text).toContain('Mon–Fri, 08:00–12:00');
    const edits = blocksOf(view)
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block['elements'] as Array<{ action_id: string; value: string; text: { text: string } }>)
      .filter((element) => element.action_id === 'wizard_edit');
    expect(edits.map((edit) => edit.value)).toEqual(['general', 'devices', 'credentials', 'limitation']);
    expect(edits.every((edit) => edit.text.text === 'Edit')).toBe(true);
  });

  it('cuts 5,000 devices and credentials to 20 each and "…and N more"', () => {
    const view = buildReviewStep({
      ...base,
      general: { justification: '<'.repeat(1000), reasonName: 'r'.repeat(500), governanceCode: 'g'.repeat(500) },
      devices: manyDevices,
      grants: manyGrants,
    });
    expect(checkView(view)).toEqual([]);
    expect(allText(view)).toContain('…and 4,980 more');
  });
});

describe('request card', () => {
  const card: RequestCardInput = {
    code: 'REQ-42',
    requesterId: 'U123ABC',
    fileName: 'vendors.xlsx',
    counts: { users: 8 },
    justification: 'Quarterly patching',
    reasonName: 'Maintenance',
    governanceCode: null,
    devices: ['db-prod-01'],
    grants: [{ label: 'postgres @ db-prod-01', startSession: true, viewPassword: true }],
    limitationText,
    vendors: [{ name: '*Acme* <!channel>', users: 3 }],
    scheduleText: 'from 7 Dec 2026 09:00 to 8 Dec 2026 09:00 UTC',
    approvalDeadline: new Date(Date.UTC(2026, 11, 5, 14, 0)),
    statusWord: 'Awaiting approval',
    groups: [
      { name: 'Vendor approvers', approvals: 0, required: 1 },
      { name: 'Security', approvals: 1, required: 2 },
    ],
  };

  it('shows the request in words, without buttons', () => {
    const message = buildRequestCard(card);
    expect(checkMessage(message)).toEqual([]);
    const text = allText(message);
    expect(message.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: 'Access request REQ-42 · Awaiting approval' },
    });
    expect(message.text).toContain('REQ-42');
    expect(text).toContain('<@U123ABC>');
    expect(text).toContain('8 users to be given access');
    expect(text).toContain('*Governance code:* —');
    expect(text).toContain('postgres @ db-prod-01 — Start session, View password');
    expect(text).toContain('America/Sao_Paulo');
    expect(text).toContain('Vendor approvers: 0 of 1 approval');
    expect(text).toContain('Security: 1 of 2 approvals');
    expect(message.blocks.some((block: KnownBlock) => block.type === 'actions')).toBe(false);
  });

  it('stays within message limits with the largest inputs, escaping user data', () => {
    const message = buildRequestCard({
      ...card,
      requesterId: '<!channel>',
      justification: '<&>'.repeat(400),
      reasonName: '<'.repeat(300),
      governanceCode: '&'.repeat(300),
      fileName: '>'.repeat(300),
      devices: manyDevices,
      grants: manyGrants,
      groups: Array.from({ length: 40 }, (_, index) => ({
        name: `group ${index} ${'x'.repeat(200)}`,
        approvals: 0,
        required: 1,
      })),
    });
    expect(checkMessage(message)).toEqual([]);
    expect(allText(message)).not.toContain('<!channel>');
    // Long names use up the list budget before 20 items: fewer shown, the rest counted.
    expect(allText(message)).toMatch(/\*Devices\* \(5,000\)[^"]*…and 4,9\d\d more/);
  });
});
