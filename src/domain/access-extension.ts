// Extending, shortening or ending a batch (issue 17, `/domum extend`): the rules for a request's new end. Pure:
// time comes in as `now`. The new end is kept as the limitation's duration, so every reader of a limitation — the
// schedule in words, isAllowedAt, the landing page — follows it without knowing extensions exist; the duration is
// written in the largest unit that reaches the new end exactly (months, days, hours, then minutes).
import { contractProblem, DURATION_UNITS, formatInstant, limitationEnd } from './access-limitation.ts';
import type { AccessLimitation, DurationUnit } from './access-limitation.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The mean Gregorian month, only to guess how many months a period holds before checking the guess. */
const MONTH_MS = 30.436875 * DAY_MS;
/** Beyond this an ISO date needs an expanded year, which neither Slack nor people read. */
const LAST_YEAR = 9999;

export type Duration = AccessLimitation['duration'];

function endWith(limitation: AccessLimitation, duration: Duration): Date | null {
  try {
    return limitationEnd({ ...limitation, duration });
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/** Whole amounts near `estimate` (at least 1), nearest first. */
function around(estimate: number): number[] {
  const centre = Math.max(1, Math.round(estimate));
  return [centre, centre - 1, centre + 1].filter((amount) => amount >= 1);
}

/**
 * The duration that takes the limitation's start to `end` exactly, in the largest unit that does (calendar months
 * and days in the limitation's zone, as limitationEnd adds them), or null when `end` is not a whole number of
 * minutes after the start.
 */
export function durationReaching(limitation: AccessLimitation, end: Date): Duration | null {
  const elapsed = end.getTime() - new Date(limitation.start).getTime();
  if (!(elapsed > 0)) return null;
  const estimates: Record<DurationUnit, number> = {
    months: elapsed / MONTH_MS,
    days: elapsed / DAY_MS,
    hours: elapsed / HOUR_MS,
    minutes: elapsed / MINUTE_MS,
  };
  for (const unit of [...DURATION_UNITS].reverse()) {
    for (const amount of around(estimates[unit])) {
      const reached = endWith(limitation, { amount, unit });
      if (reached !== null && reached.getTime() === end.getTime()) return { amount, unit };
    }
  }
  return null;
}

/** The limitation whose period ends at `end` instead (same start, days, times, sessions and zone). */
export function limitationEndingAt(limitation: AccessLimitation, end: Date): AccessLimitation {
  const duration = durationReaching(limitation, end);
  if (duration === null) throw new RangeError(`${end.toISOString()} is not a whole number of minutes after the start`);
  return { ...limitation, duration };
}

/** `end` plus a duration, with the calendar arithmetic of the limitation's zone (days keep the wall clock). */
export function endAfterAdding(end: Date, duration: Duration, timeZone: string): Date | null {
  return endWith(
    { start: end.toISOString(), duration, days: 'every_day', times: 'all_hours', sessions: 'unlimited', timeZone },
    duration,
  );
}

/** What the person asked for: a new end, or a duration to add to the current end (exactly one of them). */
export interface ExtensionAsk {
  newEnd: Date | null;
  add: Duration | null;
}

export type ExtensionField = 'new_end' | 'duration';
export interface ExtensionProblem {
  field: ExtensionField;
  message: string;
}

export interface ExtensionContext {
  limitation: AccessLimitation;
  /** The end of the accesses now. */
  currentEnd: Date;
  now: Date;
  /** The earliest contract end among the request's vendors (YYYY-MM-DD, inclusive), or null. */
  contractEnd: string | null;
}

export type ResolvedEnd =
  { ok: true; newEnd: Date; limitation: AccessLimitation } | { ok: false; problem: ExtensionProblem };

/**
 * The new end asked for, checked: one of a new end or a duration to add; after now and after the start; not the
 * current end; within the year 9999; and, when it is later than the current end, within the vendors' contracts.
 * An earlier end may stay past a contract that was shortened since: it only brings the accesses nearer to it.
 */
export function resolveNewEnd(ask: ExtensionAsk, context: ExtensionContext): ResolvedEnd {
  const { limitation, currentEnd, now } = context;
  const zone = limitation.timeZone;
  const refuse = (field: ExtensionField, message: string): ResolvedEnd => ({ ok: false, problem: { field, message } });
  if (ask.newEnd && ask.add) return refuse('new_end', 'Choose a new end or a duration to add, not both');
  if (!ask.newEnd && !ask.add) return refuse('new_end', 'Choose a new end, or a duration to add to the current one');
  const field: ExtensionField = ask.newEnd ? 'new_end' : 'duration';
  if (ask.add && (!Number.isSafeInteger(ask.add.amount) || ask.add.amount < 1))
    return refuse('duration', 'The duration to add must be a whole number of at least 1');
  const newEnd = ask.newEnd ?? (ask.add ? endAfterAdding(currentEnd, ask.add, zone) : null);
  if (newEnd === null || Number.isNaN(newEnd.getTime()) || newEnd.getUTCFullYear() > LAST_YEAR)
    return refuse(field, `That is too far: the accesses would end after the year ${LAST_YEAR}`);
  if (newEnd <= now)
    return refuse(field, `The new end is in the past: choose a time after ${formatInstant(now, zone)} (${zone})`);
  const start = new Date(limitation.start);
  if (newEnd <= start)
    return refuse(
      field,
      `The new end is before the accesses start on ${formatInstant(start, zone)} (${zone}): choose a later time`,
    );
  if (newEnd.getTime() === currentEnd.getTime())
    return refuse(field, `That is the current end, ${formatInstant(currentEnd, zone)} (${zone}): choose another`);
  const duration = durationReaching(limitation, newEnd);
  if (duration === null) return refuse(field, 'Choose a new end on a whole minute');
  const beyond = newEnd > currentEnd ? contractProblem(newEnd, context.contractEnd, zone) : null;
  if (beyond !== null) return refuse(field, beyond);
  return { ok: true, newEnd, limitation: { ...limitation, duration } };
}

/** A later end gives more access than was approved: the request's access groups approve it again. */
export function extensionNeedsApproval(currentEnd: Date, newEnd: Date): boolean {
  return newEnd > currentEnd;
}
