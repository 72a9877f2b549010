// User text shown in Slack mrkdwn must show as typed.
// - &, < and > are control characters: a cell like "<!channel>" or "<https://evil|click>" would become a mention
//   or a link, so they become entities.
// - *, _, ~ and ` open bold, italic, strikethrough and code when they start a word, and mrkdwn has no escape for
//   them (a backslash shows as a backslash). A word joiner (U+2060, invisible, no width, no line break) before
//   such a marker means it no longer starts a word, so "*Acme*" shows as *Acme*, not as bold Acme. Markers inside
//   a word (bob_smith) format nothing and are left alone, so names and emails copy out unchanged.
const WORD_JOINER = '\u2060';
const FORMAT_OPENER = /(?<![\p{L}\p{N}])([*_~`])/gu;

export function escapeMrkdwn(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(FORMAT_OPENER, `${WORD_JOINER}$1`);
}
