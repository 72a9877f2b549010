// The answer to an external select's options request (block_suggestion) for the wizard's Devices and
// Credentials. Slack answers a response it dislikes (more than 100 options, a text over 75 characters) with a
// silent "No result", so every limit is enforced here, whatever the caller passes in.
import type { PlainTextOption } from '@slack/types';
import { cut, MAX_OPTION_TEXT, MAX_OPTIONS } from '../../usecases/search-catalog.ts';
import type { CatalogOptions } from '../../usecases/search-catalog.ts';

// Slack's SDKs disagree on the value limit (75 or 150); ours are short ids, so the stricter one costs nothing.
const MAX_VALUE = 75;

export const NARROW_HINT = `Showing the first ${MAX_OPTIONS} matches: type more of a name to narrow the list.`;

export interface SlackOptionsResponse {
  options: PlainTextOption[];
  /** Set when more matched than are shown. Not an option: Slack would count it, and it could be chosen. */
  hint?: string;
}

export function toSlackOptions(result: CatalogOptions): SlackOptionsResponse {
  const options: PlainTextOption[] = [];
  const seen = new Set<string>();
  let dropped = false;
  for (const option of result.options) {
    // A value that does not fit cannot be shortened (it is what comes back), and a repeated one is ambiguous.
    if (option.value === '' || option.value.length > MAX_VALUE || seen.has(option.value)) continue;
    if (options.length === MAX_OPTIONS) {
      dropped = true;
      break;
    }
    seen.add(option.value);
    const text = fit(option.text) || option.value;
    const description = option.description === undefined ? '' : fit(option.description);
    options.push({
      // emoji: false shows catalog names as written: "srv:prod:01" must not turn into an emoji.
      text: { type: 'plain_text', text, emoji: false },
      value: option.value,
      ...(description === '' ? {} : { description: { type: 'plain_text', text: description, emoji: false } }),
    });
  }
  return result.truncated || dropped ? { options, hint: NARROW_HINT } : { options };
}

/** Trimmed and at most 75 UTF-16 units (within the limit however Slack counts), cut with "…". */
function fit(text: string): string {
  return cut(text.trim(), MAX_OPTION_TEXT);
}
