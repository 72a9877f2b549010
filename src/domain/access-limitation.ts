// The access limitation (the request wizard's "Access limitation" step): when a third-party user may use an access.
// A limitation is an absolute period [start, start + duration) narrowed by weekdays and wall-clock windows,
// all read in the request's IANA time zone, plus a session budget. Time always comes in as a parameter.
//
// Two date-fns-tz behaviours shape the helpers below (both measured with date-fns-tz 3.2.0):
// - formatInTimeZone and toZonedTime copy the zone's wall clock into a Date in the *process* time zone, so a
//   wall time that falls into the process zone's own DST gap is shown an hour late (date-fns-tz issue #258:
//   with TZ=Europe/Berlin, 2026-03-29T02:30Z formats in UTC as 03:30). Rules here read wall clocks with
//   Intl.DateTimeFormat directly, which asks the zone database for the instant and nothing else.
// - fromZonedTime puts a wall time inside a spring-forward gap *before* the gap (Berlin 02:30 → 01:30 CET),
//   and resolves a fall-back wall time to either occurrence depending on the process time zone. We keep
//   fromZonedTime for the conversion and correct both cases: a gap moves forward by its length (02:30 → 03:30
//   CEST), a repeated wall time means its first occurrence.
import { addDays } from 'date-fns/addDays';
import { addHours } from 'date-fns/addHours';
import { addMilliseconds } from 'date-fns/addMilliseconds';
import { addMinutes } from 'date-fns/addMinutes';
import { addMonths } from 'date-fns/addMonths';
import { isValid } from 'date-fns/isValid';
import { parseISO } from 'date-fns/parseISO';
import { fromZonedTime } from 'date-fns-tz/fromZonedTime';
import { z } from 'zod';

export const DURATION_UNITS = ['minutes', 'hours', 'days', 'months'] as const;
/** Monday first, as the wizard lists them and as `days` is stored. */
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
/** In the wizard's order. */
export const TIME_PRESETS = ['08-12', '12-16', '16-20', '20-24', '00-04', '04-08'] as const;

export type DurationUnit = (typeof DURATION_UNITS)[number];
export type Weekday = (typeof WEEKDAYS)[number];
export type TimePreset = (typeof TIME_PRESETS)[number];

export interface CustomTimeWindow {
  /** HH:MM on the 15-minute grid, 00:00 … 23:45. */
  start: string;
  /** HH:MM on the 15-minute grid, 00:00 … 23:45 ('24:00' is written 00:00). Before start: the window crosses
   * midnight. Equal to start: empty, which validation refuses. */
  end: string;
}

export interface AccessLimitation {
  /** ISO instant in UTC, e.g. 2026-12-03T12:00:00.000Z. */
  start: string;
  duration: { amount: number; unit: DurationUnit };
  /** Non-empty, unique, Monday first. */
  days: 'every_day' | Weekday[];
  times: 'all_hours' | { presets: TimePreset[]; custom: CustomTimeWindow | null };
  sessions: 'unlimited' | { maximum: number };
  /** IANA time zone in which days and times are read and days/months are added. */
  timeZone: string;
}

export type LimitationField = 'start' | 'duration' | 'days' | 'times' | 'sessions';
export type LimitationProblem = { field: LimitationField; message: string };

export interface LimitationContext {
  now: Date;
  /** YYYY-MM-DD: the earliest contract end among the involved vendors, inclusive (access may last until the
   * end of that day in the limitation's time zone); null when no vendor's contract ends. */
  contractEnd: string | null;
}

const MINUTES_PER_DAY = 24 * 60;
const QUARTER_HOUR_MILLISECONDS = 15 * 60 * 1000;
/** Beyond this an ISO date needs an expanded year, which neither Slack nor people read. */
const LAST_YEAR = 9999;

// ---------------------------------------------------------------------------------------------------------
// Wall clocks

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

interface ZonedWallClock extends WallClock {
  weekday: Weekday;
}

const WEEKDAY_BY_SHORT_NAME: Record<string, Weekday> = {
  Mon: 'monday',
  Tue: 'tuesday',
  Wed: 'wednesday',
  Thu: 'thursday',
  Fri: 'friday',
  Sat: 'saturday',
  Sun: 'sunday',
};

// Building a formatter is far slower than using one, and the property tests and isAllowedAt call this a lot;
// only names Intl accepted are kept, so the map stays as small as the zone database.
const wallClockFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = wallClockFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      // h23, not hour12: false, which some ICU versions render as "24" at midnight.
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    wallClockFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock shown in `timeZone` at `instant`. Throws a RangeError for an unknown zone or invalid date. */
function wallClockOf(instant: Date, timeZone: string): ZonedWallClock {
  const fields: Record<string, string> = {};
  for (const part of wallClockFormatter(timeZone).formatToParts(instant)) fields[part.type] = part.value;
  const milliseconds = instant.getTime();
  return {
    year: Number(fields.year),
    month: Number(fields.month),
    day: Number(fields.day),
    hour: Number(fields.hour),
    minute: Number(fields.minute),
    second: Number(fields.second),
    // Zone offsets are whole seconds, so the millisecond is the instant's own.
    millisecond: ((milliseconds % 1000) + 1000) % 1000,
    weekday: WEEKDAY_BY_SHORT_NAME[fields.weekday ?? ''] ?? 'monday',
  };
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function calendarDateText(wall: Pick<WallClock, 'year' | 'month' | 'day'>): string {
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** yyyy-MM-ddTHH:mm:ss.SSS, no offset: the form fromZonedTime reads as a wall time in the zone it is given. */
function wallClockText(wall: WallClock): string {
  const time = `${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}.${pad(wall.millisecond, 3)}`;
  return `${calendarDateText(wall)}T${time}`;
}

/** The wall clock as a plain number, only to compare two wall clocks or measure the distance between them. */
function wallClockValue(wall: WallClock): number {
  return Date.parse(`${wallClockText(wall)}Z`);
}

/**
 * The instant at which `timeZone` shows `wall`. A wall time skipped by a spring-forward change moves forward
 * by the gap (Berlin 02:30 on the last Sunday of March → 03:30 CEST); a wall time shown twice by a fall-back
 * change means its first occurrence (Berlin 02:30 on the last Sunday of October → 02:30 CEST).
 */
function instantOfWallClock(wall: WallClock, timeZone: string): Date {
  const wanted = wallClockValue(wall);
  const converted = fromZonedTime(wallClockText(wall), timeZone);
  const shown = wallClockValue(wallClockOf(converted, timeZone));
  if (shown < wanted) {
    // In a gap, date-fns-tz applies the offset after the change to an instant before it, which shows the wall
    // time minus the gap; moving it on by that difference lands past the change, showing the wall time plus
    // the gap. (Had it used the offset before the change, it would show the wall time plus the gap already.)
    return addMilliseconds(converted, wanted - shown);
  }
  if (shown > wanted) return converted;
  // Repeated wall time: if the offset in force a day earlier also reproduces it at an earlier instant, that
  // earlier instant is the first occurrence. No zone in use changes its offset twice within a day.
  const dayBefore = addHours(converted, -24);
  const offsetBefore = wallClockValue(wallClockOf(dayBefore, timeZone)) - dayBefore.getTime();
  const earlier = addMilliseconds(converted, wanted - offsetBefore - converted.getTime());
  return earlier < converted && wallClockValue(wallClockOf(earlier, timeZone)) === wanted ? earlier : converted;
}

/** A Date used only as a calendar-date carrier for date-fns, at local noon of the process zone: no process zone
 * skips noon, so adding days or months to it yields the right date whatever TZ the process runs in. */
function calendarCarrier(date: Pick<WallClock, 'year' | 'month' | 'day'>): Date {
  return parseISO(`${calendarDateText(date)}T12:00:00`);
}

function carriedDate(carrier: Date): Pick<WallClock, 'year' | 'month' | 'day'> {
  return { year: carrier.getFullYear(), month: carrier.getMonth() + 1, day: carrier.getDate() };
}

export function isKnownTimeZone(timeZone: string): boolean {
  // Intl also accepts offsets such as "+05:30", which have no DST rules and are not what Slack's `tz` holds.
  if (!/^[A-Za-z]/.test(timeZone)) return false;
  try {
    wallClockFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Times of day

const QUARTER_HOUR_PATTERN = /^([01]\d|2[0-3]):(00|15|30|45)$/;

function minutesOfQuarterHour(text: string): number | null {
  const match = QUARTER_HOUR_PATTERN.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** A window in minutes of the day it starts on; end ≤ start means it runs past midnight into the next day. */
interface MinuteWindow {
  start: number;
  end: number;
}

const PRESET_WINDOWS: Record<TimePreset, MinuteWindow> = {
  '08-12': { start: 8 * 60, end: 12 * 60 },
  '12-16': { start: 12 * 60, end: 16 * 60 },
  '16-20': { start: 16 * 60, end: 20 * 60 },
  '20-24': { start: 20 * 60, end: MINUTES_PER_DAY },
  '00-04': { start: 0, end: 4 * 60 },
  '04-08': { start: 4 * 60, end: 8 * 60 },
};

function windowsOf(times: AccessLimitation['times']): MinuteWindow[] {
  if (times === 'all_hours') return [{ start: 0, end: MINUTES_PER_DAY }];
  const windows = times.presets.map((preset) => PRESET_WINDOWS[preset]);
  if (times.custom) {
    const start = minutesOfQuarterHour(times.custom.start);
    const end = minutesOfQuarterHour(times.custom.end);
    // An unreadable or empty custom window (refused by validation) allows nothing rather than everything.
    if (start !== null && end !== null && start !== end) {
      windows.push({ start, end: end === 0 ? MINUTES_PER_DAY : end });
    }
  }
  return windows;
}

function formatMinutes(minutes: number): string {
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

export function quarterHourOptions(): string[] {
  return Array.from({ length: MINUTES_PER_DAY / 15 }, (_, index) => formatMinutes(index * 15));
}

// ---------------------------------------------------------------------------------------------------------
// Period

/**
 * start + duration. Minutes and hours are elapsed time; days and months are calendar arithmetic in the zone:
 * the wall clock is kept across DST changes (09:00 + 1 day is 09:00 the next day), a month clamps the day
 * (31 Jan + 1 month = 28/29 Feb), and a wall time skipped by a spring-forward change moves forward by the gap.
 * Throws a RangeError for an unknown time zone or an end no date can hold.
 */
export function limitationEnd(limitation: AccessLimitation): Date {
  const start = parseISO(limitation.start);
  const { amount, unit } = limitation.duration;
  let end: Date;
  if (unit === 'minutes') {
    end = addMinutes(start, amount);
  } else if (unit === 'hours') {
    end = addHours(start, amount);
  } else {
    const wall = wallClockOf(start, limitation.timeZone);
    const carrier = calendarCarrier(wall);
    const shifted = unit === 'days' ? addDays(carrier, amount) : addMonths(carrier, amount);
    if (!isValid(shifted)) throw new RangeError(`The access end is out of range: ${amount} ${unit}`);
    end = instantOfWallClock({ ...wall, ...carriedDate(shifted) }, limitation.timeZone);
  }
  if (!isValid(end)) throw new RangeError(`The access end is out of range: ${amount} ${unit}`);
  return end;
}

function previousWeekday(weekday: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(weekday) + WEEKDAYS.length - 1) % WEEKDAYS.length] ?? weekday;
}

/**
 * Whether the access may be used at `instant`: inside [start, end), on an allowed weekday and inside a time
 * window, both read on the zone's wall clock. A window crossing midnight belongs to the day it starts on
 * (Friday 22:00–02:00 covers Saturday 01:00 when Friday is allowed, whether or not Saturday is). Around DST
 * changes windows follow the wall clock: a window inside a skipped hour is empty that day, and a repeated hour
 * is allowed both times.
 */
export function isAllowedAt(limitation: AccessLimitation, instant: Date): boolean {
  // Throws (through limitationEnd) for an unknown time zone: a limitation that parsed has a known one.
  const start = parseISO(limitation.start);
  if (!isValid(instant) || instant < start || instant >= limitationEnd(limitation)) return false;
  const allowedDays = limitation.days === 'every_day' ? null : new Set<Weekday>(limitation.days);
  const isAllowedDay = (weekday: Weekday) => allowedDays === null || allowedDays.has(weekday);
  const wall = wallClockOf(instant, limitation.timeZone);
  const minute = wall.hour * 60 + wall.minute;
  return windowsOf(limitation.times).some((window) => {
    if (window.start < window.end) return isAllowedDay(wall.weekday) && minute >= window.start && minute < window.end;
    return (
      (isAllowedDay(wall.weekday) && minute >= window.start) ||
      (isAllowedDay(previousWeekday(wall.weekday)) && minute < window.end)
    );
  });
}

/** The wizard's default Start: the first quarter hour of the zone's wall clock strictly after `now`. */
export function nextQuarterHour(now: Date, timeZone: string): Date {
  const wall = wallClockOf(now, timeZone);
  const intoQuarter = ((wall.minute % 15) * 60 + wall.second) * 1000 + wall.millisecond;
  // Every zone offset in use is a multiple of 15 minutes, so the next quarter of the wall clock is the next
  // quarter of elapsed time, even across a DST change (Berlin 01:50 on the spring-forward day → 03:00 CEST).
  return addMilliseconds(now, QUARTER_HOUR_MILLISECONDS - intoQuarter);
}

// ---------------------------------------------------------------------------------------------------------
// Validation

const MONTH_ABBREVIATIONS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function formatCalendarDate(wall: Pick<WallClock, 'year' | 'month' | 'day'>): string {
  return `${wall.day} ${MONTH_ABBREVIATIONS[wall.month - 1] ?? '?'} ${wall.year}`;
}

/** "3 Dec 2026 09:00" on the zone's wall clock. */
export function formatInstant(instant: Date, timeZone: string): string {
  const wall = wallClockOf(instant, timeZone);
  return `${formatCalendarDate(wall)} ${pad(wall.hour)}:${pad(wall.minute)}`;
}

const CONTRACT_END_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseContractEnd(text: string): Pick<WallClock, 'year' | 'month' | 'day'> {
  const match = CONTRACT_END_PATTERN.exec(text);
  const date = match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : null;
  // The date comes from the catalog through the database, never from the person filling in the wizard: a bad
  // one is a bug to surface, not a message to show.
  if (!date || !isValid(calendarCarrier(date)) || carriedDate(calendarCarrier(date)).day !== date.day) {
    throw new Error(`contractEnd must be a YYYY-MM-DD date, got "${text}"`);
  }
  return date;
}

interface Finding extends LimitationProblem {
  /** Where the schema reports it. */
  path: (string | number)[];
}

/** The end, or null when the duration cannot be added (unknown zone, bad amount, out of range). */
function reachableEnd(limitation: AccessLimitation): Date | null {
  if (!isKnownTimeZone(limitation.timeZone) || !isValid(parseISO(limitation.start))) return null;
  if (!Number.isSafeInteger(limitation.duration.amount) || limitation.duration.amount < 1) return null;
  try {
    const end = limitationEnd(limitation);
    return end.getUTCFullYear() <= LAST_YEAR ? end : null;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** Everything that can be checked without knowing when or for which vendors: what every stored limitation
 * satisfies, so the schema applies the same rules when reading one back. */
function findingsWithoutContext(limitation: AccessLimitation): Finding[] {
  const findings: Finding[] = [];
  const add = (field: LimitationField, path: (string | number)[], message: string) =>
    findings.push({ field, path, message });
  const { timeZone } = limitation;
  const knownZone = isKnownTimeZone(timeZone);
  const start = parseISO(limitation.start);

  // Start. The zone has no field of its own in the wizard; it is shown with Start.
  if (!knownZone) {
    add('start', ['timeZone'], `Unknown time zone "${timeZone}": use an IANA name such as America/Sao_Paulo`);
  }
  if (!isValid(start)) {
    add('start', ['start'], 'Start is not a valid date and time');
  } else if (knownZone) {
    const wall = wallClockOf(start, timeZone);
    if (wall.minute % 15 !== 0 || wall.second !== 0 || wall.millisecond !== 0) {
      add('start', ['start'], 'Start must be on a quarter hour (:00, :15, :30 or :45)');
    }
  }

  // Duration.
  const { amount } = limitation.duration;
  if (!Number.isInteger(amount) || amount < 1) {
    add('duration', ['duration', 'amount'], 'Duration must be a whole number of at least 1');
  } else if (knownZone && isValid(start) && reachableEnd(limitation) === null) {
    add('duration', ['duration', 'amount'], `Duration is too long: the access would end after the year ${LAST_YEAR}`);
  }

  // Days.
  if (limitation.days !== 'every_day') {
    if (limitation.days.length === 0) {
      add('days', ['days'], 'Choose at least one day');
    } else {
      const order = limitation.days.map((day) => WEEKDAYS.indexOf(day));
      if (order.some((position, index) => position < 0 || (index > 0 && position <= (order[index - 1] ?? -1)))) {
        add('days', ['days'], 'Choose each day once, in Monday-first order');
      }
    }
  }

  // Times.
  if (limitation.times !== 'all_hours') {
    const { presets, custom } = limitation.times;
    if (presets.length === 0 && custom === null) add('times', ['times'], 'Choose at least one time window');
    if (new Set(presets).size !== presets.length) add('times', ['times', 'presets'], 'Choose each time window once');
    if (custom !== null) {
      const customStart = minutesOfQuarterHour(custom.start);
      const customEnd = minutesOfQuarterHour(custom.end);
      if (customStart === null || customEnd === null) {
        add('times', ['times', 'custom'], 'Custom start and end must be on the 15-minute grid, from 00:00 to 23:45');
      } else if (customStart === customEnd) {
        add('times', ['times', 'custom'], 'The custom window is empty: choose a different end');
      }
    }
  }

  // Sessions.
  if (limitation.sessions !== 'unlimited') {
    const { maximum } = limitation.sessions;
    if (!(maximum >= 1)) {
      add('sessions', ['sessions', 'maximum'], 'Maximum sessions must be at least 1');
    } else if (!Number.isInteger(maximum)) {
      add('sessions', ['sessions', 'maximum'], 'Maximum sessions must be a whole number');
    }
  }
  return findings;
}

/**
 * The latest instant an access may end under a contract that ends on `contractEnd` (inclusive): midnight at the
 * end of that day in the zone.
 */
export function contractLimitOf(contractEnd: string, timeZone: string): Date {
  const lastDay = parseContractEnd(contractEnd);
  const dayAfter = carriedDate(addDays(calendarCarrier(lastDay), 1));
  return instantOfWallClock({ ...dayAfter, hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone);
}

/** Why an access ending at `end` would outlive the vendor's contract, or null when it does not (or none ends). */
export function contractProblem(end: Date, contractEnd: string | null, timeZone: string): string | null {
  if (contractEnd === null || end <= contractLimitOf(contractEnd, timeZone)) return null;
  return (
    `The access would end on ${formatInstant(end, timeZone)}, ` +
    `after the vendor's contract ends on ${formatCalendarDate(parseContractEnd(contractEnd))}`
  );
}

const FIELD_ORDER: LimitationField[] = ['start', 'duration', 'days', 'times', 'sessions'];

/**
 * Every problem with a limitation the wizard is about to save, each under the field the person should change,
 * in the order of the form. Empty means it may be saved (and will parse back with accessLimitationSchema).
 */
export function validateLimitation(limitation: AccessLimitation, context: LimitationContext): LimitationProblem[] {
  const problems = findingsWithoutContext(limitation).map(({ field, message }): LimitationProblem => ({
    field,
    message,
  }));
  const { timeZone } = limitation;
  const start = parseISO(limitation.start);
  if (isKnownTimeZone(timeZone) && isValid(start)) {
    if (start < context.now) {
      problems.push({
        field: 'start',
        message: `Start is in the past: choose a time after ${formatInstant(context.now, timeZone)}`,
      });
    }
    const end = reachableEnd(limitation);
    const beyond = end !== null ? contractProblem(end, context.contractEnd, timeZone) : null;
    if (beyond !== null) problems.push({ field: 'duration', message: beyond });
  }
  return problems.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));
}

// ---------------------------------------------------------------------------------------------------------
// Schema

const customWindowSchema = z.strictObject({ start: z.string(), end: z.string() });

/**
 * The stored form (jsonb). Strict: unknown keys are refused, and the rules that need no clock or contract
 * (zone, grid, amounts, days, windows) are checked again, so a row that parses can be evaluated safely.
 */
export const accessLimitationSchema: z.ZodType<AccessLimitation> = z
  .strictObject({
    start: z.iso.datetime(),
    duration: z.strictObject({ amount: z.number(), unit: z.enum(DURATION_UNITS) }),
    days: z.union([z.literal('every_day'), z.array(z.enum(WEEKDAYS))]),
    times: z.union([
      z.literal('all_hours'),
      z.strictObject({ presets: z.array(z.enum(TIME_PRESETS)), custom: customWindowSchema.nullable() }),
    ]),
    sessions: z.union([z.literal('unlimited'), z.strictObject({ maximum: z.number() })]),
    timeZone: z.string(),
  })
  .superRefine((limitation, context) => {
    for (const finding of findingsWithoutContext(limitation)) {
      context.addIssue({ code: 'custom', path: finding.path, message: finding.message });
    }
  });

// ---------------------------------------------------------------------------------------------------------
// Words

const WORDS = {
  en: {
    everyDay: 'Every day',
    allHours: 'all hours',
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    units: {
      minutes: ['minute', 'minutes'],
      hours: ['hour', 'hours'],
      days: ['day', 'days'],
      months: ['month', 'months'],
    } satisfies Record<DurationUnit, [string, string]>,
    and: 'and',
    from: 'from',
    for: 'for',
    atMost: (count: number) => `at most ${count} ${count === 1 ? 'session' : 'sessions'}`,
    unlimited: 'unlimited sessions',
  },
};

export type LimitationLocale = keyof typeof WORDS;

function listInWords(items: string[], and: string): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${and} ${items.at(-1)}`;
}

function describeDays(days: AccessLimitation['days'], words: (typeof WORDS)[LimitationLocale]): string {
  if (days === 'every_day') return words.everyDay;
  const positions = [...new Set(days.map((day) => WEEKDAYS.indexOf(day)))].sort((a, b) => a - b);
  if (positions.length === WEEKDAYS.length) return words.everyDay;
  // Runs of consecutive days read as ranges (Mon–Fri, Sat–Sun); a run does not wrap from Sunday to Monday,
  // since the week is listed Monday first everywhere else.
  const runs: { first: number; last: number }[] = [];
  for (const position of positions) {
    const run = runs.at(-1);
    if (run && position === run.last + 1) run.last = position;
    else runs.push({ first: position, last: position });
  }
  const name = (position: number) => words.weekdays[position] ?? '?';
  return runs
    .map((run) => (run.first === run.last ? name(run.first) : `${name(run.first)}–${name(run.last)}`))
    .join(', ');
}

function describeTimes(times: AccessLimitation['times'], words: (typeof WORDS)[LimitationLocale]): string {
  if (times === 'all_hours') return words.allHours;
  const windows = windowsOf(times).sort((a, b) => a.start - b.start || a.end - b.end);
  // A window ending at midnight reads "20:00–24:00", the way the presets are labelled.
  return listInWords(
    windows.map((window) => `${formatMinutes(window.start)}–${formatMinutes(window.end)}`),
    words.and,
  );
}

/**
 * The limitation in words, for the review step and the request card, e.g. "Mon–Fri, 08:00–12:00 and
 * 20:00–24:00, America/Sao_Paulo, from 3 Dec 2026 09:00 for 2 months, at most 10 sessions". The start is shown
 * on the limitation's own wall clock, next to the zone's name.
 */
export function describeLimitation(limitation: AccessLimitation, locale: LimitationLocale = 'en'): string {
  const words = WORDS[locale];
  const { amount, unit } = limitation.duration;
  const [singular, plural] = words.units[unit];
  const sessions = limitation.sessions === 'unlimited' ? words.unlimited : words.atMost(limitation.sessions.maximum);
  return [
    describeDays(limitation.days, words),
    describeTimes(limitation.times, words),
    limitation.timeZone,
    `${words.from} ${formatInstant(parseISO(limitation.start), limitation.timeZone)}` +
      ` ${words.for} ${amount} ${amount === 1 ? singular : plural}`,
    sessions,
  ].join(', ');
}
