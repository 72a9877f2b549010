import { describe, expect, it } from 'vitest';
import { escapeHtml, neutraliseFormula } from '../../src/domain/output-safety.ts';

describe('neutraliseFormula', () => {
  it('quotes a value a spreadsheet application would read as a formula', () => {
    expect(neutraliseFormula('=HYPERLINK("https://evil.example","click")')).toBe(
      '\'=HYPERLINK("https://evil.example","click")',
    );
    expect(neutraliseFormula('+cmd|" /C calc"!A0')).toBe('\'+cmd|" /C calc"!A0');
    expect(neutraliseFormula('-2+3')).toBe("'-2+3");
    expect(neutraliseFormula('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(neutraliseFormula('\t=1+1')).toBe("'\t=1+1");
    expect(neutraliseFormula('\r=1+1')).toBe("'\r=1+1");
  });

  it('quotes phones too: in an output file the quote is harmless', () => {
    expect(neutraliseFormula('+5511987654321')).toBe("'+5511987654321");
  });

  it('leaves other values alone', () => {
    for (const value of ['', 'Ana Souza', 'ana@acme.example', '1+1', "'already quoted", ' =not first', 'Ω=1']) {
      expect(neutraliseFormula(value)).toBe(value);
    }
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in HTML text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>Tom & Jerry</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;',
    );
  });

  it('escapes an ampersand once, and leaves plain text alone', () => {
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
    expect(escapeHtml('João Silva')).toBe('João Silva');
  });
});
