// Cells are data, never formulas. Values from an uploaded spreadsheet are echoed into the results
// spreadsheet, emails and web pages; these helpers make sure they come back out as inert text.

// OWASP's CSV-injection guidance: a spreadsheet application treats a cell starting with one of these as a
// formula (tab and carriage return let an attacker hide the sign behind white space in some readers).
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * Prefixes a single quote to a value a spreadsheet application could read as a formula. Phones such as
 * "+5511…" are quoted too: in an output file the quote is harmless, and telling a phone from `+cmd|…` is
 * exactly the guessing this guard exists to avoid.
 */
export function neutraliseFormula(value: string): string {
  return value.length > 0 && FORMULA_TRIGGERS.has(value.charAt(0)) ? `'${value}` : value;
}

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ENTITIES[character] ?? character);
}
