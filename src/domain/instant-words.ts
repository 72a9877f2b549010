// Instants and durations as the emails and the landing page say them to someone outside the organisation, who
// may be in another zone than the access: the access zone's wall clock (formatInstant), a short zone name where
// one exists, and always the UTC offset, so "14:00" cannot be read in the reader's own zone by mistake.
import { parseISO } from 'date-fns/parseISO';
import { formatInstant, limitationEnd } from './access-limitation.ts';
import type { AccessLimitation } from './access-limitation.ts';

// Building an Intl.DateTimeFormat costs far more than using one (it loads the zone and the locale's data), and
// every email says a few instants: one formatter per locale, zone and style, kept for the process's life (there
// are a few hundred zones at most). An unknown zone still throws its RangeError, as it is never cached.
const zoneNameFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneNameFormatter(locale: string, timeZone: string, style: 'short' | 'longOffset'): Intl.DateTimeFormat {
  const key = `${locale} ${style} ${timeZone}`;
  let formatter = zoneNameFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: style });
    zoneNameFormatters.set(key, formatter);
  }
  return formatter;
}

/** `UTC−03:00`, `UTC+05:30`, `UTC+00:00` (with a true minus sign, as typeset). */
export function utcOffsetOf(instant: Date, timeZone: string): string {
  const name = zoneNameFormatter('en-US', timeZone, 'longOffset')
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')?.value;
  // Intl writes "GMT-03:00", and "GMT" alone for a zero offset.
  const offset = name && /^GMT[+-]\d{2}:\d{2}$/.test(name) ? name.slice(3) : '+00:00';
  return `UTC${offset.replace('-', '\u2212')}`;
}

/**
 * The zone's usual abbreviation at that instant (EST, CET, BST, UTC) when Intl knows one in English; otherwise
 * the IANA name (America/Sao_Paulo), since an invented abbreviation would be worse than none.
 */
export function zoneLabelOf(instant: Date, timeZone: string): string {
  for (const locale of ['en-US', 'en-GB']) {
    const label = zoneNameFormatter(locale, timeZone, 'short')
      .formatToParts(instant)
      .find((part) => part.type === 'timeZoneName')?.value;
    if (label && /^[A-Z]{2,5}$/.test(label)) return label;
  }
  return timeZone;
}

// A provisioning run says the same few instants in thousands of emails (its accesses' start and end, the
// chunk's token expiry), each costing four Intl formatToParts calls: the words are kept for the latest instants.
// Bounded, since instants are unbounded: cleared whole when full, which costs one recomputation per instant.
const instantWordsCache = new Map<string, string>();
const INSTANT_WORDS_CACHE_SIZE = 1_000;

/** "7 Dec 2026 14:00 EST (UTC−05:00)", "7 Dec 2026 14:00 America/Sao_Paulo (UTC−03:00)", "7 Dec 2026 14:00 UTC". */
export function formatInstantWithZone(instant: Date, timeZone: string): string {
  const key = `${instant.getTime()} ${timeZone}`;
  let words = instantWordsCache.get(key);
  if (words === undefined) {
    words = instantWithZoneWords(instant, timeZone);
    if (instantWordsCache.size >= INSTANT_WORDS_CACHE_SIZE) instantWordsCache.clear();
    instantWordsCache.set(key, words);
  }
  return words;
}

function instantWithZoneWords(instant: Date, timeZone: string): string {
  const label = zoneLabelOf(instant, timeZone);
  const offset = utcOffsetOf(instant, timeZone);
  const wall = formatInstant(instant, timeZone);
  return label === 'UTC' && offset === 'UTC+00:00' ? `${wall} UTC` : `${wall} ${label} (${offset})`;
}

const MINUTE_MS = 60_000;

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/**
 * "3 days", "2 days and 1 hour", "45 minutes": whole units, rounded down to the minute, the minutes left out
 * once it is a day or more (the exact end is always said beside it).
 */
export function formatDuration(milliseconds: number): string {
  const totalMinutes = Math.max(0, Math.floor(milliseconds / MINUTE_MS));
  const days = Math.floor(totalMinutes / (24 * 60));
  const hours = Math.floor((totalMinutes % (24 * 60)) / 60);
  const minutes = totalMinutes % 60;
  const parts = [
    days > 0 ? plural(days, 'day') : '',
    hours > 0 ? plural(hours, 'hour') : '',
    days === 0 && minutes > 0 ? plural(minutes, 'minute') : '',
  ].filter(Boolean);
  if (parts.length === 0) return 'less than a minute';
  return parts.length === 1 ? (parts[0] as string) : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * "from 7 Dec 2026 09:00 to 7 Feb 2027 09:00 America/Sao_Paulo (UTC−03:00)": one zone label when both ends
 * share it, each end with its own when a DST change comes between them.
 */
export function formatPeriodWithZone(from: Date, to: Date, timeZone: string): string {
  const sameZone =
    zoneLabelOf(from, timeZone) === zoneLabelOf(to, timeZone) &&
    utcOffsetOf(from, timeZone) === utcOffsetOf(to, timeZone);
  if (!sameZone) return `from ${formatInstantWithZone(from, timeZone)} to ${formatInstantWithZone(to, timeZone)}`;
  const withZone = formatInstantWithZone(to, timeZone);
  const wallTo = formatInstant(to, timeZone);
  return `from ${formatInstant(from, timeZone)} to ${wallTo}${withZone.slice(wallTo.length)}`;
}

/** "from 7 Dec 2026 09:00 to 7 Feb 2027 09:00 BRT (UTC−03:00)": the period a limitation's accesses cover. */
export function scheduleTextOf(limitation: AccessLimitation): string {
  return formatPeriodWithZone(parseISO(limitation.start), limitationEnd(limitation), limitation.timeZone);
}
