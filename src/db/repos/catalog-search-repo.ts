// Searches of the catalog for the access-request wizard's Devices and Credentials selects (README "Importing users"). A
// catalog can hold thousands of rows and Slack shows at most 100 options, so the filtering, ordering and limit all
// happen here, in one query each, rather than in JavaScript.
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type { Executor } from '../schema.ts';

export interface DeviceRow {
  id: number;
  external_id: string;
  name: string;
  product: string;
  device_type: string;
  site: string;
  domain: string;
}

export interface CredentialRow {
  id: number;
  external_id: string;
  device_id: number;
  device_name: string;
  credential_type: string;
  username: string;
  domain: string;
}

export interface DeviceSearch {
  text: string;
  limit: number;
}

export interface CredentialSearch {
  deviceIds: readonly number[];
  text: string;
  limit: number;
}

// Case- and accent-insensitive matching without an extension (unaccent is one, which neither PostgreSQL nor PGlite has
// out of the box). The folding a user expects (São = sao = SAO) is applied to the typed words, not to the rows: each
// letter becomes a regular-expression class of every letter that folds to it ("a" → [aAàáâã…]), and the rows are
// matched as stored. Folding every row instead, with translate(lower(…)) over this table, cost about 75 µs a row on
// PGlite (translate() scans its whole `from` list for every character): 380 ms for 5,000 devices, 1.1 s for 20,000
// credentials, against 10 and 40 ms this way; no index could help either, since a search matches anywhere inside a
// field.
const FOLDED_LETTERS: Record<string, string> = {
  a: 'àáâãäåāăą',
  c: 'çćĉċč',
  d: 'ďđð',
  e: 'èéêëēĕėęě',
  g: 'ĝğġģ',
  h: 'ĥħ',
  i: 'ìíîïĩīĭįı',
  j: 'ĵ',
  k: 'ķ',
  l: 'ĺļľŀł',
  n: 'ñńņň',
  o: 'òóôõöøōŏő',
  r: 'ŕŗř',
  s: 'śŝşšș',
  t: 'ţťŧț',
  u: 'ùúûüũūŭůűų',
  w: 'ŵ',
  y: 'ýÿŷ',
  z: 'źżž',
};

/** Every accented letter, lower case, to the ASCII letter it folds to. */
const FOLD_MAP = new Map(
  Object.entries(FOLDED_LETTERS).flatMap(([ascii, accented]) =>
    Array.from(accented, (letter) => [letter, ascii] as const),
  ),
);

/** What a typed word is compared as: NFC (a phone may send "a" + combining tilde), lower case, unaccented. */
function foldText(text: string): string {
  return Array.from(text.normalize('NFC').toLowerCase(), (letter) => FOLD_MAP.get(letter) ?? letter).join('');
}

/** The letter itself and its capital, when that is a single other character (not "ß" → "SS"). */
function withCapital(letter: string): string[] {
  const capital = letter.toUpperCase();
  return capital !== letter && Array.from(capital).length === 1 ? [letter, capital] : [letter];
}

/** A regular expression matching exactly the characters that fold to `folded`, in either case. */
function characterPattern(folded: string): string {
  // In PostgreSQL's regular expressions a backslash before a non-alphanumeric character makes it literal:
  // that is how ".", "*", "(", "[", "%", "_", the backslash and the rest mean themselves when typed.
  if (folded.charCodeAt(0) < 0x80 && !/^[a-z0-9]$/.test(folded)) return `\\${folded}`;
  const letters = new Set([...withCapital(folded), ...Array.from(FOLDED_LETTERS[folded] ?? '').flatMap(withCapital)]);
  // Only letters go between brackets, so none of them can be a bracket-expression metacharacter.
  return letters.size === 1 ? folded : `[${[...letters].join('')}]`;
}

// Bounds on what one keystroke can make the database do: the text comes from whoever types in the select.
const MAX_TEXT_LENGTH = 200;
const MAX_WORDS = 10;

/** One regular expression per distinct word of `text`; none when it has no words. */
export function wordPatterns(text: string): string[] {
  // Control characters (NUL above all, which PostgreSQL refuses in text) separate words like spaces do.
  const words = foldText(Array.from(text).slice(0, MAX_TEXT_LENGTH).join(''))
    .split(/[\s\p{Cc}]+/u)
    .filter((word) => word !== '');
  return [...new Set(words)].slice(0, MAX_WORDS).map((word) => Array.from(word, characterPattern).join(''));
}

// `~ all (array)` walks the joined fields once per word; they are joined with a space, which no word holds,
// so a word never matches across two fields.
export function matchesEveryWord(haystack: RawBuilder<string>, patterns: string[]): RawBuilder<boolean> {
  return sql<boolean>`${haystack} ~ all (${patterns}::text[])`;
}

/** Postgres integer ids only: anything else would make the cast to int[] fail the whole query. */
function validIds(ids: readonly number[]): number[] {
  return [...new Set(ids.filter((id) => Number.isInteger(id) && id >= 1 && id <= 2_147_483_647))];
}

const DEVICE_COLUMNS = ['id', 'external_id', 'name', 'product', 'device_type', 'site', 'domain'] as const;

/** Devices whose name, product, type, site, domain or external id contain every word of `text`. */
export async function searchDevices(db: Executor, search: DeviceSearch): Promise<DeviceRow[]> {
  const patterns = wordPatterns(search.text);
  return (
    db
      .selectFrom('devices')
      .select(DEVICE_COLUMNS)
      .$if(patterns.length > 0, (query) =>
        query.where(
          matchesEveryWord(sql`concat_ws(' ', name, product, device_type, site, domain, external_id)`, patterns),
        ),
      )
      // Case-insensitive, so "DB-01" and "db-02" sit together whatever the collation; the external id breaks
      // ties, so a page of results is the same on every call.
      .orderBy(sql`lower(name)`)
      .orderBy('name')
      .orderBy('external_id')
      .limit(search.limit)
      .execute()
  );
}

const CREDENTIAL_COLUMNS = [
  'c.id',
  'c.external_id',
  'c.device_id',
  'd.name as device_name',
  'c.credential_type',
  'c.username',
  'c.domain',
] as const;

/** Credentials of the given devices only, whose username, type, domain, external id or device name contain
 * every word of `text`. */
export async function searchCredentials(db: Executor, search: CredentialSearch): Promise<CredentialRow[]> {
  const deviceIds = validIds(search.deviceIds);
  if (deviceIds.length === 0) return [];
  const patterns = wordPatterns(search.text);
  return (
    db
      .selectFrom('credentials as c')
      .innerJoin('devices as d', 'd.id', 'c.device_id')
      .select(CREDENTIAL_COLUMNS)
      // One array parameter, not an IN list: the wizard may hold many devices, and the bind-parameter limit is
      // 65,535.
      .where(sql<boolean>`c.device_id = any(${deviceIds}::int[])`)
      .$if(patterns.length > 0, (query) =>
        query.where(
          matchesEveryWord(
            sql`concat_ws(' ', c.username, c.credential_type, c.domain, c.external_id, d.name)`,
            patterns,
          ),
        ),
      )
      .orderBy(sql`lower(d.name)`)
      .orderBy('d.name')
      .orderBy('d.external_id')
      .orderBy(sql`lower(c.username)`)
      .orderBy('c.username')
      .orderBy('c.external_id')
      .limit(search.limit)
      .execute()
  );
}

/** The chosen devices, to render them again (review screen, request card); unknown ids are left out. */
export async function findDevicesByIds(db: Executor, ids: readonly number[]): Promise<DeviceRow[]> {
  const valid = validIds(ids);
  if (valid.length === 0) return [];
  return db
    .selectFrom('devices')
    .select(DEVICE_COLUMNS)
    .where(sql<boolean>`id = any(${valid}::int[])`)
    .orderBy(sql`lower(name)`)
    .orderBy('name')
    .orderBy('external_id')
    .execute();
}

/** The chosen credentials with their device's name; unknown ids are left out. The caller checks device_id
 * against the chosen devices, since a credential id comes back from Slack. */
export async function findCredentialsByIds(db: Executor, ids: readonly number[]): Promise<CredentialRow[]> {
  const valid = validIds(ids);
  if (valid.length === 0) return [];
  return db
    .selectFrom('credentials as c')
    .innerJoin('devices as d', 'd.id', 'c.device_id')
    .select(CREDENTIAL_COLUMNS)
    .where(sql<boolean>`c.id = any(${valid}::int[])`)
    .orderBy(sql`lower(d.name)`)
    .orderBy('d.name')
    .orderBy('d.external_id')
    .orderBy(sql`lower(c.username)`)
    .orderBy('c.username')
    .orderBy('c.external_id')
    .execute();
}
