// The options of the wizard's Devices and Credentials selects (README "Importing users"): what the user typed, searched
// in the catalog, turned into at most 100 labelled options, since Slack shows nothing at all past 100.
import {
  findCredentialsByIds,
  findDevicesByIds,
  searchCredentials,
  searchDevices,
} from '../db/repos/catalog-search-repo.ts';
import type { CredentialRow, DeviceRow } from '../db/repos/catalog-search-repo.ts';
import type { Executor } from '../db/schema.ts';

export interface SearchCatalogDeps {
  db: Executor;
}

export interface CatalogOption {
  value: string;
  text: string;
  description?: string;
}

export interface CatalogOptions {
  options: CatalogOption[];
  /** More rows matched than fit: the caller can ask the user to type more to narrow the list. */
  truncated: boolean;
}

export type OptionKind = 'device' | 'credential';

export interface ParsedOptionValue {
  kind: OptionKind;
  id: number;
}

/** Slack's limit on the options of one external select response. */
export const MAX_OPTIONS = 100;
/** Slack's limit on an option's text and description. */
export const MAX_OPTION_TEXT = 75;

const SEPARATOR = ' · ';

export async function searchDeviceOptions(deps: SearchCatalogDeps, text: string): Promise<CatalogOptions> {
  // One row more than can be shown tells whether there are more, without counting every match.
  const rows = await searchDevices(deps.db, { text, limit: MAX_OPTIONS + 1 });
  return {
    options: rows.slice(0, MAX_OPTIONS).map(deviceOption),
    truncated: rows.length > MAX_OPTIONS,
  };
}

export async function searchCredentialOptions(
  deps: SearchCatalogDeps,
  input: { deviceIds: readonly number[]; text: string },
): Promise<CatalogOptions> {
  const rows = await searchCredentials(deps.db, {
    deviceIds: input.deviceIds,
    text: input.text,
    limit: MAX_OPTIONS + 1,
  });
  return {
    options: rows.slice(0, MAX_OPTIONS).map(credentialOption),
    truncated: rows.length > MAX_OPTIONS,
  };
}

export function deviceOption(device: DeviceRow): CatalogOption {
  return withDescription(
    { value: `device:${device.id}`, text: cut(joinNonEmpty([device.name, device.product])) },
    joinNonEmpty([device.device_type, device.site]),
  );
}

/** The label is the one the wizard gives each credential's permission checkboxes, so the user sees one name. */
export function credentialOption(credential: CredentialRow): CatalogOption {
  return withDescription(
    { value: `credential:${credential.id}`, text: cut(credentialLabel(credential)) },
    joinNonEmpty([credential.credential_type, credential.domain]),
  );
}

export function credentialLabel(credential: Pick<CredentialRow, 'username' | 'device_name'>): string {
  return `${credential.username} @ ${credential.device_name}`;
}

const OPTION_VALUE = /^(device|credential):([1-9][0-9]{0,9})$/;
const MAX_ROW_ID = 2_147_483_647;

/** An option value as Slack sends it back. The user controls it (a crafted payload can carry any string), so
 * anything but a value these options produce is refused. */
export function parseOptionValue(value: unknown): ParsedOptionValue | undefined {
  if (typeof value !== 'string') return undefined;
  const match = OPTION_VALUE.exec(value);
  if (!match) return undefined;
  const id = Number(match[2]);
  if (id > MAX_ROW_ID) return undefined;
  return { kind: match[1] as OptionKind, id };
}

function withDescription(option: CatalogOption, description: string): CatalogOption {
  return description === '' ? option : { ...option, description: cut(description) };
}

function joinNonEmpty(parts: string[]): string {
  return parts
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(SEPARATOR);
}

/**
 * At most `max` UTF-16 units, cut on a code point boundary with "…". Counting units, not code points, keeps
 * it under the limit whichever way Slack counts, and never leaves half of a surrogate pair.
 */
export function cut(text: string, max = MAX_OPTION_TEXT): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const letter of text) {
    if (kept.length + letter.length > max - 1) break;
    kept += letter;
  }
  return `${kept.trimEnd()}…`;
}

/** The devices chosen in a draft, as the wizard shows them again. */
export function findChosenDevices(deps: SearchCatalogDeps, deviceIds: readonly number[]) {
  return findDevicesByIds(deps.db, deviceIds);
}

/** The credentials chosen in a draft, with their devices' names. */
export function findChosenCredentials(deps: SearchCatalogDeps, credentialIds: readonly number[]) {
  return findCredentialsByIds(deps.db, credentialIds);
}
