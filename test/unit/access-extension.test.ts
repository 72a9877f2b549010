// The rules for a request's new end (`/domum extend`): the duration that reaches it in the largest exact unit
// (calendar months and days in the zone, across DST), adding a duration to the current end, and every refusal.
import { describe, expect, it } from 'vitest';
import {
  durationReaching,
  endAfterAdding,
  extensionNeedsApproval,
  limitationEndingAt,
  resolveNewEnd,
} from '../../src/domain/access-extension.ts';
import { describeLimitation, isAllowedAt, limitationEnd } from '../../src/domain/access-limitation.ts';
import type { AccessLimitation } from '../../src/domain/access-limitation.ts';

const BERLIN: AccessLimitation = {
  start: '2027-03-20T08:00:00.000Z', // 09:00 CET, a week before the spring-forward change
  duration: { amount: 8, unit: 'hours' },
  days: 'every_day',
  times: 'all_hours',
  sessions: 'unlimited',
  timeZone: 'Europe/Berlin',
};

describe('durationReaching', () => {
  it('says a new end in the largest unit that reaches it exactly, on the zone calendar', () => {
    // 09:00 CET + 10 days is 09:00 CEST: 239 hours, but 10 calendar days.
    expect(durationReaching(BERLIN, new Date('2027-03-30T07:00:00.000Z'))).toEqual({ amount: 10, unit: 'days' });
    expect(durationReaching(BERLIN, new Date('2027-04-20T07:00:00.000Z'))).toEqual({ amount: 1, unit: 'months' });
    expect(durationReaching(BERLIN, new Date('2027-03-20T20:00:00.000Z'))).toEqual({ amount: 12, unit: 'hours' });
    expect(durationReaching(BERLIN, new Date('2027-03-20T08:45:00.000Z'))).toEqual({ amount: 45, unit: 'minutes' });
    // Ten days as elapsed time lands an hour off the wall clock, so it is said in hours.
    expect(durationReaching(BERLIN, new Date('2027-03-30T08:00:00.000Z'))).toEqual({ amount: 240, unit: 'hours' });
    expect(durationReaching(BERLIN, new Date('2027-03-20T08:00:30.000Z'))).toBeNull();
    expect(durationReaching(BERLIN, new Date('2027-03-20T08:00:00.000Z'))).toBeNull();
  });

  it('gives a limitation whose end, schedule and isAllowedAt follow the new end', () => {
    const newEnd = new Date('2027-03-30T07:00:00.000Z');
    const extended = limitationEndingAt(BERLIN, newEnd);
    expect(limitationEnd(extended)).toEqual(newEnd);
    expect(describeLimitation(extended)).toContain('from 20 Mar 2027 09:00 for 10 days');
    expect(isAllowedAt(BERLIN, new Date('2027-03-25T12:00:00.000Z'))).toBe(false);
    expect(isAllowedAt(extended, new Date('2027-03-25T12:00:00.000Z'))).toBe(true);
    expect(isAllowedAt(extended, new Date(newEnd.getTime() - 60_000))).toBe(true);
    expect(isAllowedAt(extended, newEnd)).toBe(false);
  });
});

describe('endAfterAdding', () => {
  it('adds calendar days and months in the zone, and elapsed hours', () => {
    const end = new Date('2027-03-27T08:00:00.000Z'); // 09:00 CET, the day before the change
    expect(endAfterAdding(end, { amount: 1, unit: 'days' }, 'Europe/Berlin')).toEqual(
      new Date('2027-03-28T07:00:00.000Z'),
    );
    expect(endAfterAdding(end, { amount: 24, unit: 'hours' }, 'Europe/Berlin')).toEqual(
      new Date('2027-03-28T08:00:00.000Z'),
    );
    expect(endAfterAdding(new Date('2027-01-31T08:00:00.000Z'), { amount: 1, unit: 'months' }, 'UTC')).toEqual(
      new Date('2027-02-28T08:00:00.000Z'),
    );
  });
});

describe('resolveNewEnd', () => {
  const now = new Date('2027-03-20T10:00:00.000Z');
  const limitation: AccessLimitation = { ...BERLIN, duration: { amount: 3, unit: 'days' } };
  const currentEnd = limitationEnd(limitation);
  const context = { limitation, currentEnd, now, contractEnd: '2027-03-31' };
  const refusal = (ask: Parameters<typeof resolveNewEnd>[0], ctx = context) => {
    const resolved = resolveNewEnd(ask, ctx);
    return resolved.ok ? undefined : resolved.problem;
  };

  it('takes a new end or a duration to add, and keeps the rest of the limitation', () => {
    const later = resolveNewEnd({ newEnd: null, add: { amount: 2, unit: 'days' } }, context);
    expect(later).toEqual({
      ok: true,
      newEnd: new Date('2027-03-25T08:00:00.000Z'),
      limitation: { ...limitation, duration: { amount: 5, unit: 'days' } },
    });
    const earlier = resolveNewEnd({ newEnd: new Date('2027-03-21T20:00:00.000Z'), add: null }, context);
    expect(earlier.ok && earlier.limitation.duration).toEqual({ amount: 36, unit: 'hours' });
    expect(extensionNeedsApproval(currentEnd, new Date('2027-03-25T08:00:00.000Z'))).toBe(true);
    expect(extensionNeedsApproval(currentEnd, new Date('2027-03-21T20:00:00.000Z'))).toBe(false);
  });

  it('refuses each wrong ask under the field to fix, saying why', () => {
    expect(refusal({ newEnd: null, add: null })).toEqual({
      field: 'new_end',
      message: 'Choose a new end, or a duration to add to the current one',
    });
    expect(refusal({ newEnd: currentEnd, add: { amount: 1, unit: 'days' } })?.message).toBe(
      'Choose a new end or a duration to add, not both',
    );
    expect(refusal({ newEnd: null, add: { amount: 0, unit: 'days' } })).toEqual({
      field: 'duration',
      message: 'The duration to add must be a whole number of at least 1',
    });
    expect(refusal({ newEnd: new Date('2027-03-20T09:00:00.000Z'), add: null })?.message).toBe(
      'The new end is in the past: choose a time after 20 Mar 2027 11:00 (Europe/Berlin)',
    );
    expect(refusal({ newEnd: currentEnd, add: null })?.message).toBe(
      'That is the current end, 23 Mar 2027 09:00 (Europe/Berlin): choose another',
    );
    expect(refusal({ newEnd: new Date('2027-03-22T08:00:30.000Z'), add: null })?.message).toBe(
      'Choose a new end on a whole minute',
    );
    expect(refusal({ newEnd: null, add: { amount: 12, unit: 'days' } })).toEqual({
      field: 'duration',
      message: "The access would end on 4 Apr 2027 09:00, after the vendor's contract ends on 31 Mar 2027",
    });
    expect(refusal({ newEnd: null, add: { amount: 999_999, unit: 'months' } })?.message).toBe(
      'That is too far: the accesses would end after the year 9999',
    );
    // Accesses that have not started yet cannot end before they start.
    const future = { ...limitation, start: '2027-03-22T08:00:00.000Z' };
    expect(
      refusal({ newEnd: new Date('2027-03-21T08:00:00.000Z'), add: null }, { ...context, limitation: future })?.message,
    ).toBe('The new end is before the accesses start on 22 Mar 2027 09:00 (Europe/Berlin): choose a later time');
  });

  it('lets an earlier end stay past a contract that was shortened since', () => {
    const pastContract = { ...context, contractEnd: '2027-03-21' };
    expect(resolveNewEnd({ newEnd: new Date('2027-03-22T08:00:00.000Z'), add: null }, pastContract).ok).toBe(true);
    expect(refusal({ newEnd: null, add: { amount: 1, unit: 'days' } }, pastContract)?.field).toBe('duration');
  });
});
