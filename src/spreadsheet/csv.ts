// CSV as spreadsheet users produce it (RFC 4180 plus what Excel and LibreOffice write): our own parser rather
// than SheetJS's, because every field must stay the text that was typed ("00123" is not 123, "1/2" is not a
// date) and because line numbers must be the row numbers LibreOffice shows — a blank line is a row, a quoted
// field spanning several lines is one row.

export type CsvSeparator = ',' | ';' | '\t';

/**
 * UTF-8 with or without a BOM; Excel's "Unicode text" (UTF-16 with a BOM); anything that is not valid UTF-8
 * is what Excel writes as plain "CSV" on Windows in the Americas and western Europe: Windows-1252.
 */
export function decodeCsvText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

const QUOTE = 0x22;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Calls onRecord for every record, in order, with its row number (1-based; a blank line is a record of one
 * empty field). Stops when onRecord returns false. Lenient where spreadsheet applications are: text after a
 * closing quote is kept, and an unterminated quote runs to the end of the file.
 */
export function parseCsv(
  text: string,
  separator: CsvSeparator,
  onRecord: (fields: string[], lineNumber: number) => boolean,
): void {
  const separatorCode = separator.charCodeAt(0);
  const length = text.length;
  let position = 0;
  let lineNumber = 0;
  while (position < length) {
    lineNumber++;
    const fields: string[] = [];
    for (;;) {
      const field = readField(text, position, separatorCode);
      fields.push(field.value);
      position = field.end;

      if (position >= length) break;
      const code = text.charCodeAt(position);
      if (code === separatorCode) {
        position++;
        if (position >= length) {
          fields.push('');
          break;
        }
        continue;
      }
      position += code === CARRIAGE_RETURN && text.charCodeAt(position + 1) === LINE_FEED ? 2 : 1;
      break;
    }
    if (!onRecord(fields, lineNumber)) return;
  }
}

/** The field starting at `from`, and where it ends: at a separator, a line break or the end of the text. */
function readField(text: string, from: number, separatorCode: number): { value: string; end: number } {
  if (text.charCodeAt(from) !== QUOTE) {
    const end = scanUnquoted(text, from, separatorCode);
    return { value: text.slice(from, end), end };
  }
  let value = '';
  let start = from + 1;
  let afterQuote = text.length;
  for (;;) {
    const quote = text.indexOf('"', start);
    if (quote === -1) {
      value += text.slice(start);
      break;
    }
    if (text.charCodeAt(quote + 1) === QUOTE) {
      value += text.slice(start, quote + 1);
      start = quote + 2;
      continue;
    }
    value += text.slice(start, quote);
    afterQuote = quote + 1;
    break;
  }
  const end = scanUnquoted(text, afterQuote, separatorCode);
  if (end > afterQuote) value += text.slice(afterQuote, end);
  return { value, end };
}

function scanUnquoted(text: string, from: number, separatorCode: number): number {
  let end = from;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    if (code === separatorCode || code === LINE_FEED || code === CARRIAGE_RETURN) break;
    end++;
  }
  return end;
}

/** How often each separator occurs outside quotes in the first line that is not blank. */
export function countSeparatorsInFirstLine(text: string): Record<',' | ';', number> {
  const counts: Record<',' | ';', number> = { ',': 0, ';': 0 };
  let inQuotes = false;
  let seenContent = false;
  for (let position = 0; position < text.length; position++) {
    const character = text[position];
    if (character === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (character === '\n' || character === '\r')) {
      if (seenContent) break;
      counts[','] = 0;
      counts[';'] = 0;
    } else if (!inQuotes && (character === ',' || character === ';')) counts[character]++;
    else if (character !== undefined && character.trim() !== '') seenContent = true;
  }
  return counts;
}
