import { addDays } from 'date-fns/addDays';
import { addMinutes } from 'date-fns/addMinutes';
import { formatInTimeZone } from 'date-fns-tz/formatInTimeZone';
import { fromZonedTime } from 'date-fns-tz/fromZonedTime';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WEEKDAYS,
  TIME_PRESETS,
  accessLimitationSchema,
  describeLimitation,
  isAllowedAt,
  limitationEnd,
  nextQuarterHour,
  quarterHourOptions,
  validateLimitation,
} from '../../src/domain/access-limitation.ts';
import type { AccessLimitation, LimitationProblem, TimePreset, Weekday } from '../../src/domain/access-limitation.ts';

const base: AccessLimitation = {
  start: '2026-12-03T12:00:00.000Z', // 09:00 in São Paulo (UTC−3 all year since 2019)
  duration: { amount: 2, unit: 'months' },
  days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
  times: { presets: ['08-12', '20-24'], custom: null },
  sessions: { maximum: 10 },
  timeZone: 'America/Sao_Paulo',
};

function limitation(changes: Partial<AccessLimitation> = {}): AccessLimitation {
  return { ...base, ...changes };
}

const now = new Date('2026-11-25T12:00:00.000Z');
const noContract = { now, contractEnd: null };

function messages(problems: LimitationProblem[]): string[] {
  return problems.map((problem) => problem.message);
}

function endOf(start: string, timeZone: string, amount: number, unit: AccessLimitation['duration']['unit']): string {
  return limitationEnd(limitation({ start, timeZone, duration: { amount, unit } })).toISOString();
}

/** The instant and how the zone shows it, e.g. "2026-03-29 03:30 +02:00". */
function shown(instant: Date, timeZone: string): string {
  return formatInTimeZone(instant, timeZone, 'yyyy-MM-dd HH:mm xxx');
}

function at(iso: string): Date {
  return new Date(iso);
}

describe('accessLimitationSchema', () => {
  it('reads back what was stored as JSON', () => {
    const stored = JSON.parse(JSON.stringify(base)) as unknown;
    expect(accessLimitationSchema.parse(stored)).toEqual(base);
    const other = limitation({ days: 'every_day', times: 'all_hours', sessions: 'unlimited', timeZone: 'UTC' });
    expect(accessLimitationSchema.parse(JSON.parse(JSON.stringify(other)))).toEqual(other);
    const custom = limitation({ times: { presets: [], custom: { start: '22:00', end: '02:00' } } });
    expect(accessLimitationSchema.parse(custom)).toEqual(custom);
  });

  it('refuses unknown keys at every level', () => {
    expect(accessLimitationSchema.safeParse({ ...base, note: 'x' }).success).toBe(false);
    expect(
      accessLimitationSchema.safeParse({ ...base, duration: { amount: 2, unit: 'months', extra: 1 } }).success,
    ).toBe(false);
    expect(
      accessLimitationSchema.safeParse({
        ...base,
        times: { presets: [], custom: { start: '08:00', end: '09:00', x: 1 } },
      }).success,
    ).toBe(false);
    expect(accessLimitationSchema.safeParse({ ...base, sessions: { maximum: 3, used: 1 } }).success).toBe(false);
  });

  it.each([
    ['a non-UTC start', { start: '2026-12-03T09:00:00-03:00' }],
    ['a date-only start', { start: '2026-12-03' }],
    ['an unknown unit', { duration: { amount: 2, unit: 'weeks' } }],
    ['an unknown weekday', { days: ['monday', 'funday'] }],
    ['an unknown preset', { times: { presets: ['09-13'], custom: null } }],
    ['a missing custom', { times: { presets: ['08-12'] } }],
    ['a string maximum', { sessions: { maximum: '3' } }],
    ['a missing time zone', { timeZone: undefined }],
  ])('refuses %s', (_label, change) => {
    expect(accessLimitationSchema.safeParse({ ...base, ...change }).success).toBe(false);
  });

  it('applies the rules that need no clock, at the path of the value', () => {
    const result = accessLimitationSchema.safeParse({
      ...base,
      duration: { amount: 0, unit: 'days' },
      days: ['friday', 'monday'],
      times: { presets: [], custom: { start: '10:00', end: '10:00' } },
      sessions: { maximum: 0 },
      timeZone: 'Mars/Olympus_Mons',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['timeZone', 'Unknown time zone "Mars/Olympus_Mons": use an IANA name such as America/Sao_Paulo'],
      ['duration.amount', 'Duration must be a whole number of at least 1'],
      ['days', 'Choose each day once, in Monday-first order'],
      ['times.custom', 'The custom window is empty: choose a different end'],
      ['sessions.maximum', 'Maximum sessions must be at least 1'],
    ]);
  });

  it('does not judge the start against a clock: a past start still parses', () => {
    expect(accessLimitationSchema.safeParse(limitation({ start: '2020-01-06T12:00:00.000Z' })).success).toBe(true);
  });
});

describe('validateLimitation', () => {
  it('accepts a complete limitation', () => {
    expect(validateLimitation(base, noContract)).toEqual([]);
    expect(
      validateLimitation(limitation({ days: 'every_day', times: 'all_hours', sessions: 'unlimited' }), noContract),
    ).toEqual([]);
  });

  it('refuses a start in the past, naming now on the zone’s wall clock', () => {
    const past = limitation({ start: '2026-11-25T11:45:00.000Z' });
    expect(validateLimitation(past, noContract)).toEqual([
      { field: 'start', message: 'Start is in the past: choose a time after 25 Nov 2026 09:00' },
    ]);
    expect(messages(validateLimitation({ ...past, timeZone: 'Asia/Kolkata' }, noContract))).toEqual([
      'Start is in the past: choose a time after 25 Nov 2026 17:30',
    ]);
  });

  it('accepts a start exactly at now', () => {
    expect(validateLimitation(limitation({ start: now.toISOString() }), noContract)).toEqual([]);
  });

  it.each(['2026-12-03T12:07:00.000Z', '2026-12-03T12:00:30.000Z', '2026-12-03T12:00:00.001Z'])(
    'refuses a start off the 15-minute grid: %s',
    (start) => {
      expect(validateLimitation(limitation({ start }), noContract)).toEqual([
        { field: 'start', message: 'Start must be on a quarter hour (:00, :15, :30 or :45)' },
      ]);
    },
  );

  it('reads the grid on the zone’s wall clock (Kathmandu is UTC+05:45)', () => {
    expect(
      validateLimitation(limitation({ start: '2026-12-03T12:15:00.000Z', timeZone: 'Asia/Kathmandu' }), noContract),
    ).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a duration of %s', (amount) => {
    expect(validateLimitation(limitation({ duration: { amount, unit: 'days' } }), noContract)).toEqual([
      { field: 'duration', message: 'Duration must be a whole number of at least 1' },
    ]);
  });

  it('refuses a duration no date can hold', () => {
    expect(validateLimitation(limitation({ duration: { amount: 1_000_000, unit: 'months' } }), noContract)).toEqual([
      { field: 'duration', message: 'Duration is too long: the access would end after the year 9999' },
    ]);
    expect(
      messages(validateLimitation(limitation({ duration: { amount: 1e15, unit: 'minutes' } }), noContract)),
    ).toEqual(['Duration is too long: the access would end after the year 9999']);
  });

  it('refuses an end after the vendor’s contract, which lasts to the end of its last day in the zone', () => {
    // From 3 Dec 2026 09:00 for 2 months: ends 3 Feb 2027 09:00 in São Paulo.
    expect(validateLimitation(base, { now, contractEnd: '2027-02-03' })).toEqual([]);
    expect(validateLimitation(base, { now, contractEnd: '2027-02-02' })).toEqual([
      {
        field: 'duration',
        message: "The access would end on 3 Feb 2027 09:00, after the vendor's contract ends on 2 Feb 2027",
      },
    ]);
  });

  it('lets the access end exactly at midnight after the contract’s last day, in the zone, not in UTC', () => {
    // 2 Feb 2027 00:00 in São Paulo is 03:00 UTC; 1,440 minutes later is midnight after 2 Feb there.
    const fromMidnight = (amount: number) =>
      limitation({ start: '2027-02-02T03:00:00.000Z', duration: { amount, unit: 'minutes' } });
    expect(validateLimitation(fromMidnight(1440), { now, contractEnd: '2027-02-02' })).toEqual([]);
    expect(messages(validateLimitation(fromMidnight(1455), { now, contractEnd: '2027-02-02' }))).toEqual([
      "The access would end on 3 Feb 2027 00:15, after the vendor's contract ends on 2 Feb 2027",
    ]);
    // The same instants read in Kolkata (UTC+05:30) run from 2 Feb 08:30 to 3 Feb 08:30: past the end of 2 Feb.
    const inKolkata = { ...fromMidnight(1440), timeZone: 'Asia/Kolkata' };
    expect(messages(validateLimitation(inKolkata, { now, contractEnd: '2027-02-02' }))).toEqual([
      "The access would end on 3 Feb 2027 08:30, after the vendor's contract ends on 2 Feb 2027",
    ]);
  });

  it('refuses a malformed contract end as a bug, not a message', () => {
    expect(() => validateLimitation(base, { now, contractEnd: '2027-02-30' })).toThrow(/contractEnd/);
    expect(() => validateLimitation(base, { now, contractEnd: '02/02/2027' })).toThrow(/contractEnd/);
  });

  it('refuses no day', () => {
    expect(validateLimitation(limitation({ days: [] }), noContract)).toEqual([
      { field: 'days', message: 'Choose at least one day' },
    ]);
  });

  it('refuses repeated or unordered days, which would not be stored as they are read', () => {
    const expected = [{ field: 'days', message: 'Choose each day once, in Monday-first order' }];
    expect(validateLimitation(limitation({ days: ['monday', 'monday'] }), noContract)).toEqual(expected);
    expect(validateLimitation(limitation({ days: ['sunday', 'monday'] }), noContract)).toEqual(expected);
  });

  it('refuses no time window', () => {
    expect(validateLimitation(limitation({ times: { presets: [], custom: null } }), noContract)).toEqual([
      { field: 'times', message: 'Choose at least one time window' },
    ]);
  });

  it('refuses an empty custom window', () => {
    const times = { presets: ['08-12'] as TimePreset[], custom: { start: '22:00', end: '22:00' } };
    expect(validateLimitation(limitation({ times }), noContract)).toEqual([
      { field: 'times', message: 'The custom window is empty: choose a different end' },
    ]);
  });

  it.each([
    ['08:10', '12:00'],
    ['08:00', '24:00'],
    ['8:00', '12:00'],
    ['08:00', '12:00:00'],
  ])('refuses custom times off the 15-minute grid: %s–%s', (start, end) => {
    expect(validateLimitation(limitation({ times: { presets: [], custom: { start, end } } }), noContract)).toEqual([
      { field: 'times', message: 'Custom start and end must be on the 15-minute grid, from 00:00 to 23:45' },
    ]);
  });

  it('accepts a custom window that crosses midnight or ends at 00:00', () => {
    expect(
      validateLimitation(limitation({ times: { presets: [], custom: { start: '22:00', end: '02:00' } } }), noContract),
    ).toEqual([]);
    expect(
      validateLimitation(limitation({ times: { presets: [], custom: { start: '22:00', end: '00:00' } } }), noContract),
    ).toEqual([]);
  });

  it('refuses a repeated preset', () => {
    expect(
      messages(validateLimitation(limitation({ times: { presets: ['08-12', '08-12'], custom: null } }), noContract)),
    ).toEqual(['Choose each time window once']);
  });

  it.each([0, -3])('refuses a maximum of %s sessions', (maximum) => {
    expect(validateLimitation(limitation({ sessions: { maximum } }), noContract)).toEqual([
      { field: 'sessions', message: 'Maximum sessions must be at least 1' },
    ]);
  });

  it('refuses a fractional maximum', () => {
    expect(messages(validateLimitation(limitation({ sessions: { maximum: 2.5 } }), noContract))).toEqual([
      'Maximum sessions must be a whole number',
    ]);
  });

  it.each(['Mars/Olympus_Mons', '+05:30', ''])(
    'refuses the unknown time zone %j under Start, without judging the clock',
    (timeZone) => {
      expect(
        validateLimitation(limitation({ timeZone, start: '2020-01-01T12:07:00.000Z' }), {
          now,
          contractEnd: '2020-01-01',
        }),
      ).toEqual([
        { field: 'start', message: `Unknown time zone "${timeZone}": use an IANA name such as America/Sao_Paulo` },
      ]);
    },
  );

  it('lists every problem, in the order of the form', () => {
    const problems = validateLimitation(
      {
        start: '2026-11-01T12:05:00.000Z',
        duration: { amount: 0, unit: 'hours' },
        days: [],
        times: { presets: [], custom: null },
        sessions: { maximum: 0 },
        timeZone: 'Europe/Berlin',
      },
      noContract,
    );
    expect(problems.map((problem) => problem.field)).toEqual([
      'start',
      'start',
      'duration',
      'days',
      'times',
      'sessions',
    ]);
    expect(messages(problems)).toEqual([
      'Start must be on a quarter hour (:00, :15, :30 or :45)',
      'Start is in the past: choose a time after 25 Nov 2026 13:00',
      'Duration must be a whole number of at least 1',
      'Choose at least one day',
      'Choose at least one time window',
      'Maximum sessions must be at least 1',
    ]);
  });
});

describe('limitationEnd', () => {
  it('adds minutes and hours as elapsed time, across DST changes', () => {
    // Berlin, 29 Mar 2026 01:30 CET; two hours later the clocks show 04:30 CEST.
    expect(endOf('2026-03-29T00:30:00.000Z', 'Europe/Berlin', 2, 'hours')).toBe('2026-03-29T02:30:00.000Z');
    expect(endOf('2026-03-29T00:30:00.000Z', 'Europe/Berlin', 45, 'minutes')).toBe('2026-03-29T01:15:00.000Z');
    expect(shown(at('2026-03-29T02:30:00.000Z'), 'Europe/Berlin')).toBe('2026-03-29 04:30 +02:00');
  });

  describe('Europe/Berlin (last Sunday of March and of October, at 01:00 UTC)', () => {
    it('keeps the wall clock over the spring-forward day (23 hours)', () => {
      const end = endOf('2026-03-28T08:00:00.000Z', 'Europe/Berlin', 1, 'days');
      expect(end).toBe('2026-03-29T07:00:00.000Z');
      expect(shown(at(end), 'Europe/Berlin')).toBe('2026-03-29 09:00 +02:00');
    });

    it('keeps the wall clock over the fall-back day (25 hours)', () => {
      const end = endOf('2026-10-24T07:00:00.000Z', 'Europe/Berlin', 1, 'days');
      expect(end).toBe('2026-10-25T08:00:00.000Z');
      expect(shown(at(end), 'Europe/Berlin')).toBe('2026-10-25 09:00 +01:00');
    });

    it('moves a skipped wall time forward by the gap: 02:30 → 03:30 CEST', () => {
      expect(shown(at(endOf('2026-03-28T01:30:00.000Z', 'Europe/Berlin', 1, 'days')), 'Europe/Berlin')).toBe(
        '2026-03-29 03:30 +02:00',
      );
    });

    it('takes the first of a repeated wall time: 02:30 CEST, not CET', () => {
      expect(endOf('2026-10-24T00:30:00.000Z', 'Europe/Berlin', 1, 'days')).toBe('2026-10-25T00:30:00.000Z');
    });

    it('keeps the wall clock over months across a change', () => {
      expect(shown(at(endOf('2026-03-15T08:00:00.000Z', 'Europe/Berlin', 1, 'months')), 'Europe/Berlin')).toBe(
        '2026-04-15 09:00 +02:00',
      );
    });
  });

  describe('America/New_York (second Sunday of March, first Sunday of November)', () => {
    it('keeps the wall clock over both changes', () => {
      expect(endOf('2026-03-07T14:00:00.000Z', 'America/New_York', 1, 'days')).toBe('2026-03-08T13:00:00.000Z');
      expect(endOf('2026-10-31T13:00:00.000Z', 'America/New_York', 1, 'days')).toBe('2026-11-01T14:00:00.000Z');
    });

    it('moves 02:30 on the spring-forward day to 03:30 EDT', () => {
      expect(shown(at(endOf('2026-03-07T07:30:00.000Z', 'America/New_York', 1, 'days')), 'America/New_York')).toBe(
        '2026-03-08 03:30 -04:00',
      );
    });

    it('takes the first 01:30 of the fall-back day (EDT)', () => {
      expect(shown(at(endOf('2026-10-31T05:30:00.000Z', 'America/New_York', 1, 'days')), 'America/New_York')).toBe(
        '2026-11-01 01:30 -04:00',
      );
    });
  });

  describe('Australia/Lord_Howe (a 30-minute shift: UTC+10:30 ↔ +11)', () => {
    it('keeps the wall clock over the October change: 23½ hours', () => {
      const end = endOf('2026-10-02T22:30:00.000Z', 'Australia/Lord_Howe', 1, 'days');
      expect(end).toBe('2026-10-03T22:00:00.000Z');
      expect(shown(at(end), 'Australia/Lord_Howe')).toBe('2026-10-04 09:00 +11:00');
    });

    it('keeps the wall clock over the April change: 24½ hours', () => {
      expect(endOf('2026-04-03T22:00:00.000Z', 'Australia/Lord_Howe', 1, 'days')).toBe('2026-04-04T22:30:00.000Z');
    });

    it('moves 02:15, inside the half-hour gap, forward by 30 minutes', () => {
      // 3 Oct 02:15 (+10:30) is 2 Oct 15:45 UTC; 4 Oct has no 02:00–02:29.
      expect(
        shown(at(endOf('2026-10-02T15:45:00.000Z', 'Australia/Lord_Howe', 1, 'days')), 'Australia/Lord_Howe'),
      ).toBe('2026-10-04 02:45 +11:00');
    });

    it('takes the first 01:45 of the April change (+11)', () => {
      expect(endOf('2026-04-03T14:45:00.000Z', 'Australia/Lord_Howe', 1, 'days')).toBe('2026-04-04T14:45:00.000Z');
    });
  });

  describe('Asia/Kolkata (UTC+05:30, no DST)', () => {
    it('adds days as 24 hours and months on the calendar', () => {
      expect(endOf('2026-06-01T03:30:00.000Z', 'Asia/Kolkata', 3, 'days')).toBe('2026-06-04T03:30:00.000Z');
      expect(endOf('2026-01-31T03:30:00.000Z', 'Asia/Kolkata', 1, 'months')).toBe('2026-02-28T03:30:00.000Z');
    });

    it('reads the calendar date in the zone, not in UTC', () => {
      // 31 Jan 20:00 UTC is already 1 Feb 01:30 in Kolkata: one month later is 1 Mar, not 28 Feb.
      expect(shown(at(endOf('2026-01-31T20:00:00.000Z', 'Asia/Kolkata', 1, 'months')), 'Asia/Kolkata')).toBe(
        '2026-03-01 01:30 +05:30',
      );
    });
  });

  describe('America/Sao_Paulo (DST abolished in 2019)', () => {
    it('is UTC−3 all year now, so a day is 24 hours even in the old DST season', () => {
      expect(endOf('2026-11-01T12:00:00.000Z', 'America/Sao_Paulo', 1, 'days')).toBe('2026-11-02T12:00:00.000Z');
      expect(endOf('2026-02-14T12:00:00.000Z', 'America/Sao_Paulo', 1, 'days')).toBe('2026-02-15T12:00:00.000Z');
      expect(shown(at('2027-01-15T12:00:00.000Z'), 'America/Sao_Paulo')).toBe('2027-01-15 09:00 -03:00');
      expect(shown(at('2026-07-15T12:00:00.000Z'), 'America/Sao_Paulo')).toBe('2026-07-15 09:00 -03:00');
    });

    it('still follows the historical rules: DST began at midnight on 4 Nov 2018', () => {
      expect(endOf('2018-11-03T12:00:00.000Z', 'America/Sao_Paulo', 1, 'days')).toBe('2018-11-04T11:00:00.000Z');
      // Midnight itself did not exist that day: 00:30 moves to 01:30 (−02:00).
      expect(shown(at(endOf('2018-11-03T03:30:00.000Z', 'America/Sao_Paulo', 1, 'days')), 'America/Sao_Paulo')).toBe(
        '2018-11-04 01:30 -02:00',
      );
      // The last DST ended on 17 Feb 2019 (23:00 on the 16th came twice).
      expect(endOf('2019-02-16T11:00:00.000Z', 'America/Sao_Paulo', 1, 'days')).toBe('2019-02-17T12:00:00.000Z');
    });
  });

  describe('months clamp the day', () => {
    it.each([
      ['2026-01-31T14:00:00.000Z', 1, '2026-02-28 09:00 -05:00'],
      ['2028-01-31T14:00:00.000Z', 1, '2028-02-29 09:00 -05:00'],
      ['2026-01-31T14:00:00.000Z', 2, '2026-03-31 09:00 -04:00'],
      ['2026-03-31T13:00:00.000Z', 1, '2026-04-30 09:00 -04:00'],
      ['2026-08-31T13:00:00.000Z', 6, '2027-02-28 09:00 -05:00'],
    ])('New York %s + %i months → %s', (start, amount, expected) => {
      expect(shown(at(endOf(start, 'America/New_York', amount, 'months')), 'America/New_York')).toBe(expected);
    });
  });

  it('throws a RangeError when no date can hold the end', () => {
    expect(() => limitationEnd(limitation({ duration: { amount: 1e15, unit: 'days' } }))).toThrow(RangeError);
  });

  it('gives the same results whatever time zone the process runs in', () => {
    // date-fns-tz reads and writes wall clocks through the process zone (its issue #258), which shifts results
    // by an hour around the process zone's own DST changes; the module must not inherit that.
    const examples: [string, string, number, AccessLimitation['duration']['unit']][] = [
      ['2026-03-28T01:30:00.000Z', 'Europe/Berlin', 1, 'days'],
      ['2026-10-24T00:30:00.000Z', 'Europe/Berlin', 1, 'days'],
      ['2026-10-31T05:30:00.000Z', 'America/New_York', 1, 'days'],
      ['2026-04-03T14:45:00.000Z', 'Australia/Lord_Howe', 1, 'days'],
      ['2026-10-02T15:45:00.000Z', 'Australia/Lord_Howe', 1, 'days'],
      ['2026-03-28T21:00:00.000Z', 'Asia/Kolkata', 1, 'days'], // 29 Mar 02:30 in Kolkata: inside Berlin's gap
      ['2018-11-03T03:30:00.000Z', 'America/Sao_Paulo', 1, 'days'],
    ];
    const compute = () =>
      examples.map(([start, timeZone, amount, unit]) => {
        const subject = limitation({
          start,
          timeZone,
          duration: { amount, unit },
          days: 'every_day',
          times: 'all_hours',
        });
        return [
          endOf(start, timeZone, amount, unit),
          describeLimitation(subject),
          nextQuarterHour(at(start), timeZone).toISOString(),
        ];
      });
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const expected = compute();
      for (const processZone of [
        'Europe/Berlin',
        'America/New_York',
        'Australia/Lord_Howe',
        'Asia/Kolkata',
        'Pacific/Pago_Pago',
      ]) {
        process.env.TZ = processZone;
        expect(compute(), processZone).toEqual(expected);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});

describe('isAllowedAt', () => {
  const always = limitation({
    start: '2026-12-03T12:00:00.000Z',
    duration: { amount: 3, unit: 'days' },
    days: 'every_day',
    times: 'all_hours',
    timeZone: 'UTC',
  });

  it('is limited to [start, end)', () => {
    expect(isAllowedAt(always, at('2026-12-03T11:59:59.999Z'))).toBe(false);
    expect(isAllowedAt(always, at('2026-12-03T12:00:00.000Z'))).toBe(true);
    expect(isAllowedAt(always, at('2026-12-06T11:59:59.999Z'))).toBe(true);
    expect(isAllowedAt(always, at('2026-12-06T12:00:00.000Z'))).toBe(false);
  });

  it('reads presets as [start, end) on the wall clock; 20–24 ends at midnight', () => {
    const evenings = {
      ...always,
      timeZone: 'America/Sao_Paulo',
      times: { presets: ['08-12', '20-24'] as TimePreset[], custom: null },
    };
    // 4 Dec 2026 in São Paulo = UTC−3.
    expect(isAllowedAt(evenings, at('2026-12-04T10:59:00.000Z'))).toBe(false); // 07:59
    expect(isAllowedAt(evenings, at('2026-12-04T11:00:00.000Z'))).toBe(true); // 08:00
    expect(isAllowedAt(evenings, at('2026-12-04T14:59:59.999Z'))).toBe(true); // 11:59:59.999
    expect(isAllowedAt(evenings, at('2026-12-04T15:00:00.000Z'))).toBe(false); // 12:00
    expect(isAllowedAt(evenings, at('2026-12-05T02:59:00.000Z'))).toBe(true); // 23:59
    expect(isAllowedAt(evenings, at('2026-12-05T03:00:00.000Z'))).toBe(false); // 00:00 next day
  });

  it('reads the weekday in the zone', () => {
    // Friday 4 Dec 2026 23:00 in São Paulo is already Saturday 02:00 UTC.
    const weekdays = { ...always, timeZone: 'America/Sao_Paulo', days: WEEKDAYS.slice(0, 5) };
    expect(isAllowedAt(weekdays, at('2026-12-05T02:00:00.000Z'))).toBe(true);
    expect(isAllowedAt(weekdays, at('2026-12-05T03:00:00.000Z'))).toBe(false); // Saturday 00:00
    expect(isAllowedAt({ ...weekdays, timeZone: 'UTC' }, at('2026-12-05T02:00:00.000Z'))).toBe(false);
  });

  describe('a window crossing midnight belongs to the day it starts on', () => {
    const fridayNights = {
      ...always,
      duration: { amount: 14, unit: 'days' as const },
      days: ['friday'] as Weekday[],
      times: { presets: [] as TimePreset[], custom: { start: '22:00', end: '02:00' } },
    };

    it('covers Friday 22:00 to Saturday 02:00 when only Friday is allowed', () => {
      expect(isAllowedAt(fridayNights, at('2026-12-04T21:59:00.000Z'))).toBe(false);
      expect(isAllowedAt(fridayNights, at('2026-12-04T22:00:00.000Z'))).toBe(true);
      expect(isAllowedAt(fridayNights, at('2026-12-05T01:59:59.999Z'))).toBe(true);
      expect(isAllowedAt(fridayNights, at('2026-12-05T02:00:00.000Z'))).toBe(false);
      expect(isAllowedAt(fridayNights, at('2026-12-05T22:30:00.000Z'))).toBe(false); // Saturday's own window
      expect(isAllowedAt(fridayNights, at('2026-12-04T01:00:00.000Z'))).toBe(false); // Thursday's window
    });

    it('does not cover Saturday 01:00 when only Saturday is allowed', () => {
      const saturdayNights = { ...fridayNights, days: ['saturday'] as Weekday[] };
      expect(isAllowedAt(saturdayNights, at('2026-12-05T01:00:00.000Z'))).toBe(false);
      expect(isAllowedAt(saturdayNights, at('2026-12-05T23:00:00.000Z'))).toBe(true);
      expect(isAllowedAt(saturdayNights, at('2026-12-06T01:00:00.000Z'))).toBe(true); // Saturday's, on Sunday
    });

    it('wraps from Sunday to Monday', () => {
      const sundayNights = { ...fridayNights, days: ['sunday'] as Weekday[] };
      expect(isAllowedAt(sundayNights, at('2026-12-07T01:00:00.000Z'))).toBe(true); // Monday 01:00
    });

    it('treats a custom end of 00:00 as midnight', () => {
      const lateEvenings = {
        ...always,
        times: { presets: [] as TimePreset[], custom: { start: '22:00', end: '00:00' } },
      };
      expect(isAllowedAt(lateEvenings, at('2026-12-03T23:59:00.000Z'))).toBe(true);
      expect(isAllowedAt(lateEvenings, at('2026-12-04T00:00:00.000Z'))).toBe(false);
      expect(isAllowedAt(lateEvenings, at('2026-12-04T21:59:00.000Z'))).toBe(false);
    });
  });

  it('follows the wall clock around DST: a skipped hour never matches, a repeated one matches twice', () => {
    const berlin = {
      ...always,
      start: '2026-03-27T00:00:00.000Z',
      duration: { amount: 300, unit: 'days' as const },
      timeZone: 'Europe/Berlin',
    };
    const twoToThree = { ...berlin, times: { presets: [] as TimePreset[], custom: { start: '02:00', end: '03:00' } } };
    // 29 Mar: 00:59:59Z is 01:59:59 CET and 01:00Z is already 03:00 CEST.
    expect(isAllowedAt(twoToThree, at('2026-03-29T00:59:59.000Z'))).toBe(false);
    expect(isAllowedAt(twoToThree, at('2026-03-29T01:00:00.000Z'))).toBe(false);
    // 25 Oct: 02:30 is shown at 00:30Z (CEST) and again at 01:30Z (CET).
    expect(isAllowedAt(twoToThree, at('2026-10-25T00:30:00.000Z'))).toBe(true);
    expect(isAllowedAt(twoToThree, at('2026-10-25T01:30:00.000Z'))).toBe(true);
    expect(isAllowedAt(twoToThree, at('2026-10-25T02:30:00.000Z'))).toBe(false); // 03:30 CET

    const lordHowe = {
      ...twoToThree,
      timeZone: 'Australia/Lord_Howe',
      times: { presets: [] as TimePreset[], custom: { start: '02:00', end: '02:30' } },
    };
    // 4 Oct 2026: 15:29Z is 01:59 (+10:30), 15:30Z is 02:30 (+11): the window is skipped.
    expect(isAllowedAt(lordHowe, at('2026-10-03T15:29:00.000Z'))).toBe(false);
    expect(isAllowedAt(lordHowe, at('2026-10-03T15:30:00.000Z'))).toBe(false);
    expect(isAllowedAt(lordHowe, at('2026-10-04T15:15:00.000Z'))).toBe(true); // 5 Oct 02:15 (+11)
  });
});

describe('describeLimitation', () => {
  it('describes the examples of the brief', () => {
    expect(describeLimitation(base)).toBe(
      'Mon–Fri, 08:00–12:00 and 20:00–24:00, America/Sao_Paulo, from 3 Dec 2026 09:00 for 2 months, at most 10 sessions',
    );
    expect(
      describeLimitation(
        limitation({
          start: '2026-12-03T09:00:00.000Z',
          duration: { amount: 45, unit: 'minutes' },
          days: 'every_day',
          times: 'all_hours',
          sessions: 'unlimited',
          timeZone: 'UTC',
        }),
        'en',
      ),
    ).toBe('Every day, all hours, UTC, from 3 Dec 2026 09:00 for 45 minutes, unlimited sessions');
  });

  it.each([
    [['monday', 'wednesday', 'friday'], 'Mon, Wed, Fri'],
    [['saturday', 'sunday'], 'Sat–Sun'],
    [['monday', 'tuesday', 'wednesday', 'friday', 'sunday'], 'Mon–Wed, Fri, Sun'],
    [['monday', 'tuesday', 'saturday', 'sunday'], 'Mon–Tue, Sat–Sun'],
    [['thursday'], 'Thu'],
    [[...WEEKDAYS], 'Every day'],
  ] as [Weekday[], string][])('writes the days %j as %s', (days, expected) => {
    expect(describeLimitation(limitation({ days })).startsWith(`${expected}, 08:00–12:00`)).toBe(true);
  });

  it('sorts windows by start, the custom one among them', () => {
    const times = { presets: ['20-24', '04-08', '00-04'] as TimePreset[], custom: { start: '22:00', end: '02:00' } };
    expect(describeLimitation(limitation({ times }))).toContain(
      'Mon–Fri, 00:00–04:00, 04:00–08:00, 20:00–24:00 and 22:00–02:00, America',
    );
    expect(
      describeLimitation(limitation({ times: { presets: [], custom: { start: '18:00', end: '00:00' } } })),
    ).toContain('Mon–Fri, 18:00–24:00, America');
  });

  it('uses the singular for one', () => {
    const one = limitation({ duration: { amount: 1, unit: 'days' }, sessions: { maximum: 1 } });
    expect(describeLimitation(one)).toMatch(/for 1 day, at most 1 session$/);
    expect(describeLimitation(limitation({ duration: { amount: 1, unit: 'hours' } }))).toContain('for 1 hour,');
    expect(describeLimitation(limitation({ duration: { amount: 1, unit: 'minutes' } }))).toContain('for 1 minute,');
    expect(describeLimitation(limitation({ duration: { amount: 1, unit: 'months' } }))).toContain('for 1 month,');
    expect(describeLimitation(limitation({ duration: { amount: 3, unit: 'hours' } }))).toContain('for 3 hours,');
  });

  it('shows the start on the zone’s wall clock', () => {
    expect(describeLimitation(limitation({ timeZone: 'Asia/Kolkata' }))).toContain(
      'Asia/Kolkata, from 3 Dec 2026 17:30 for',
    );
    expect(
      describeLimitation(limitation({ timeZone: 'Australia/Lord_Howe', start: '2026-12-31T13:00:00.000Z' })),
    ).toContain('from 1 Jan 2027 00:00 for');
  });
});

describe('nextQuarterHour', () => {
  it.each([
    ['2026-11-25T12:07:30.000Z', 'UTC', '2026-11-25T12:15:00.000Z'],
    ['2026-11-25T12:15:00.000Z', 'UTC', '2026-11-25T12:30:00.000Z'], // strictly after
    ['2026-11-25T12:59:59.999Z', 'UTC', '2026-11-25T13:00:00.000Z'],
    ['2026-11-25T23:50:00.000Z', 'America/Sao_Paulo', '2026-11-26T00:00:00.000Z'],
    ['2026-11-25T12:05:00.000Z', 'Asia/Kolkata', '2026-11-25T12:15:00.000Z'], // 17:35 → 17:45
    ['2026-11-25T12:14:00.000Z', 'Asia/Kathmandu', '2026-11-25T12:15:00.000Z'], // 17:59 → 18:00
    ['2026-03-29T00:50:00.000Z', 'Europe/Berlin', '2026-03-29T01:00:00.000Z'], // 01:50 CET → 03:00 CEST
    ['2026-10-03T15:20:00.000Z', 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z'], // 01:50 → 02:30 (+11)
  ])('after %s in %s: %s', (nowText, timeZone, expected) => {
    expect(nextQuarterHour(at(nowText), timeZone).toISOString()).toBe(expected);
  });

  it('gives a start validation accepts', () => {
    const start = nextQuarterHour(now, 'Australia/Lord_Howe').toISOString();
    expect(validateLimitation(limitation({ start, timeZone: 'Australia/Lord_Howe' }), noContract)).toEqual([]);
  });
});

describe('quarterHourOptions', () => {
  it('lists 00:00 … 23:45 every 15 minutes, each a valid custom time', () => {
    const options = quarterHourOptions();
    expect(options).toHaveLength(96);
    expect(options.slice(0, 3)).toEqual(['00:00', '00:15', '00:30']);
    expect(options.at(-1)).toBe('23:45');
    expect(new Set(options).size).toBe(96);
    for (const option of options) {
      const custom = { start: option, end: option === '12:00' ? '13:00' : '12:00' };
      expect(validateLimitation(limitation({ times: { presets: [], custom } }), noContract)).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Properties

const ZONES = [
  'America/Sao_Paulo',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/New_York',
] as const;
const QUARTER = 15 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;

// DST changes of the zones above, so that generated periods often contain one.
const CHANGES = [
  '2018-11-04T03:00:00Z', // São Paulo, DST begins at midnight
  '2019-02-17T02:00:00Z', // São Paulo, the last DST ends
  '2026-03-29T01:00:00Z', // Berlin
  '2026-10-25T01:00:00Z',
  '2026-03-08T07:00:00Z', // New York
  '2026-11-01T06:00:00Z',
  '2026-04-04T15:00:00Z', // Lord Howe, back 30 minutes
  '2026-10-03T15:30:00Z', // Lord Howe, forward 30 minutes
].map((text) => Date.parse(text));

const anyQuarter = fc
  .integer({ min: Date.parse('2017-01-01T00:00:00Z') / QUARTER, max: Date.parse('2029-01-01T00:00:00Z') / QUARTER })
  .map((index) => index * QUARTER);
const nearChange = fc
  .tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -4 * 96, max: 96 }))
  .map(([change, quarters]) => change + quarters * QUARTER);

const durationArbitrary = fc.oneof(
  fc.record({ amount: fc.integer({ min: 1, max: 6000 }), unit: fc.constant('minutes' as const) }),
  fc.record({ amount: fc.integer({ min: 1, max: 400 }), unit: fc.constant('hours' as const) }),
  fc.record({ amount: fc.integer({ min: 1, max: 60 }), unit: fc.constant('days' as const) }),
  fc.record({ amount: fc.integer({ min: 1, max: 8 }), unit: fc.constant('months' as const) }),
);

const customArbitrary = fc
  .tuple(fc.constantFrom(...quarterHourOptions()), fc.constantFrom(...quarterHourOptions()))
  .filter(([start, end]) => start !== end)
  .map(([start, end]) => ({ start, end }));

const timesArbitrary: fc.Arbitrary<AccessLimitation['times']> = fc.oneof(
  fc.constant('all_hours' as const),
  fc
    .record({ presets: fc.subarray([...TIME_PRESETS]), custom: fc.option(customArbitrary, { nil: null }) })
    .filter((times) => times.presets.length > 0 || times.custom !== null),
);

const limitationArbitrary: fc.Arbitrary<AccessLimitation> = fc.record({
  start: fc.oneof(anyQuarter, nearChange).map((milliseconds) => new Date(milliseconds).toISOString()),
  duration: durationArbitrary,
  days: fc.oneof(fc.constant('every_day' as const), fc.subarray([...WEEKDAYS], { minLength: 1 })),
  times: timesArbitrary,
  sessions: fc.oneof(fc.constant('unlimited' as const), fc.record({ maximum: fc.integer({ min: 1, max: 100 }) })),
  timeZone: fc.constantFrom(...ZONES),
});

const PRESET_CLOCKS: Record<TimePreset, [string, string]> = {
  '08-12': ['08:00', '12:00'],
  '12-16': ['12:00', '16:00'],
  '16-20': ['16:00', '20:00'],
  '20-24': ['20:00', '24:00'],
  '00-04': ['00:00', '04:00'],
  '04-08': ['04:00', '08:00'],
};

/** The rule read literally off the zone's formatted wall clock ("HH:mm" strings compare in time order). */
function referenceWindowsAllow(subject: AccessLimitation, instant: Date): boolean {
  const weekday = Number(formatInTimeZone(instant, subject.timeZone, 'i')) - 1; // ISO: 1 = Monday
  const clock = formatInTimeZone(instant, subject.timeZone, 'HH:mm');
  const dayAllowed = (index: number) =>
    subject.days === 'every_day' || subject.days.includes(WEEKDAYS[(index + 7) % 7]!);
  const windows: [string, string][] =
    subject.times === 'all_hours'
      ? [['00:00', '24:00']]
      : [
          ...subject.times.presets.map((preset) => PRESET_CLOCKS[preset]),
          ...(subject.times.custom ? [[subject.times.custom.start, subject.times.custom.end] as [string, string]] : []),
        ];
  return windows.some(([from, to]) =>
    from < to
      ? dayAllowed(weekday) && from <= clock && clock < to
      : (dayAllowed(weekday) && clock >= from) || (dayAllowed(weekday - 1) && clock < to),
  );
}

describe('properties', () => {
  // The reference reads wall clocks with formatInTimeZone, which is exact only when the process zone has no DST
  // gap at the wall time it copies (date-fns-tz #258); pin the process to UTC so the reference is trustworthy.
  let savedZone: string | undefined;
  beforeAll(() => {
    savedZone = process.env.TZ;
    process.env.TZ = 'UTC';
  });
  afterAll(() => {
    if (savedZone === undefined) delete process.env.TZ;
    else process.env.TZ = savedZone;
  });

  const runs = { numRuns: 300 };

  it('is never allowed outside [start, end)', () => {
    fc.assert(
      fc.property(
        limitationArbitrary,
        fc.boolean(),
        fc.integer({ min: 0, max: 90 * DAY }),
        (subject, before, distance) => {
          const start = Date.parse(subject.start);
          const end = limitationEnd(subject).getTime();
          const instant = before ? new Date(start - 1 - distance) : new Date(end + distance);
          expect(isAllowedAt(subject, instant)).toBe(false);
        },
      ),
      runs,
    );
  });

  it('inside [start, end), agrees with the wall clock read literally, including the previous day’s crossing window', () => {
    fc.assert(
      fc.property(
        limitationArbitrary,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 59_999 }),
        (subject, fraction, jitter) => {
          const start = Date.parse(subject.start);
          const end = limitationEnd(subject).getTime();
          const instant = new Date(Math.min(end - 1, start + Math.floor(fraction * (end - start)) + jitter));
          expect(isAllowedAt(subject, instant)).toBe(referenceWindowsAllow(subject, instant));
        },
      ),
      runs,
    );
  });

  // Half the cases land within two hours of a DST change, where a wall time may be skipped or repeated.
  const daysArbitrary = fc.oneof(
    fc
      .tuple(limitationArbitrary, fc.integer({ min: 1, max: 400 }))
      .map(([generated, amount]) => ({ generated, amount })),
    fc
      .tuple(
        limitationArbitrary,
        fc.constantFrom(...CHANGES),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: -8, max: 8 }),
      )
      .map(([generated, change, amount, quarters]) => ({
        generated: { ...generated, start: new Date(change - amount * DAY + quarters * QUARTER).toISOString() },
        amount,
      })),
  );

  it('adding days keeps the wall-clock time whenever that time exists on the target day', () => {
    fc.assert(
      fc.property(daysArbitrary, ({ generated, amount }) => {
        const subject: AccessLimitation = { ...generated, duration: { amount, unit: 'days' } };
        const { timeZone } = subject;
        const start = new Date(subject.start);
        const end = limitationEnd(subject);
        const startDate = formatInTimeZone(start, timeZone, 'yyyy-MM-dd');
        const targetDate = addDays(new Date(`${startDate}T00:00:00Z`), amount)
          .toISOString()
          .slice(0, 10);
        const wanted = `${targetDate} ${formatInTimeZone(start, timeZone, 'HH:mm')}`;
        const shownAtEnd = formatInTimeZone(end, timeZone, 'yyyy-MM-dd HH:mm');
        const exists =
          formatInTimeZone(fromZonedTime(wanted.replace(' ', 'T'), timeZone), timeZone, 'yyyy-MM-dd HH:mm') === wanted;
        if (exists) {
          expect(shownAtEnd).toBe(wanted);
        } else {
          // Skipped by a spring-forward change: later the same day, by at most the gap (an hour here).
          expect(shownAtEnd > wanted).toBe(true);
          expect(shownAtEnd.slice(0, 10)).toBe(wanted.slice(0, 10));
          const moved = Date.parse(`${shownAtEnd.replace(' ', 'T')}Z`) - Date.parse(`${wanted.replace(' ', 'T')}Z`);
          expect(moved).toBeLessThanOrEqual(60 * 60 * 1000);
        }
      }),
      runs,
    );
  });

  it('every day and all hours is allowed everywhere in [start, end)', () => {
    fc.assert(
      fc.property(
        limitationArbitrary,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (generated, fraction) => {
          const subject: AccessLimitation = { ...generated, days: 'every_day', times: 'all_hours' };
          const start = Date.parse(subject.start);
          const end = limitationEnd(subject).getTime();
          expect(isAllowedAt(subject, new Date(start))).toBe(true);
          expect(isAllowedAt(subject, new Date(end - 1))).toBe(true);
          expect(isAllowedAt(subject, new Date(start + Math.floor(fraction * (end - start))))).toBe(true);
        },
      ),
      runs,
    );
  });

  it('what validation accepts is stored and read back unchanged', () => {
    fc.assert(
      fc.property(limitationArbitrary, (subject) => {
        const context = { now: addMinutes(new Date(subject.start), -1), contractEnd: null };
        expect(validateLimitation(subject, context)).toEqual([]);
        expect(accessLimitationSchema.parse(JSON.parse(JSON.stringify(subject)))).toEqual(subject);
      }),
      runs,
    );
  });
});
