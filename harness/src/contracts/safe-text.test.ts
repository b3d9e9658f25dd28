import { describe, expect, it } from 'vitest';
import { cutText, escapeControlCharacters, formatForTerminal, quoteValue } from './safe-text.ts';

describe('text made safe for a terminal', () => {
  it('escapes ESC, BEL, CR, NUL, NEL, line separators and direction overrides; keeps tab and newline', () => {
    const hostile = 'a\u001b[2Jb\u0007c\rd\u0000e\u0085f\u2028g\u202eh\u2066i\tj\nk';
    expect(escapeControlCharacters(hostile)).toBe(
      'a\\e[2Jb\\x07c\\rd\\x00e\\x85f\\u2028g\\u202eh\\u2066i\tj\nk',
    );
  });

  it('cuts a long value and says how much was left out, never splitting a surrogate pair', () => {
    expect(cutText('x'.repeat(1000), 10)).toBe(`${'x'.repeat(10)}... (990 more characters)`);
    expect(cutText(`${'x'.repeat(9)}😀tail`, 10)).toBe(`${'x'.repeat(9)}... (6 more characters)`);
  });

  it('bounds a 1 MB message to a few hundred characters per line and a bounded number of lines', () => {
    const out = formatForTerminal(`no cell named "${'n'.repeat(1_000_000)}"\n${'line\n'.repeat(500)}`);
    expect(out.length).toBeLessThan(400 * 61 + 200);
    expect(out.split('\n')[0]).toMatch(/\.\.\. \(\d+ more characters\)$/);
    expect(out).toMatch(/more characters left out\)$/);
    expect(formatForTerminal('line\n'.repeat(500))).toMatch(/\.\.\. \(441 more lines left out\)$/);
  });

  it('quotes a value escaped and cut', () => {
    expect(quoteValue('a\u001bb')).toBe('"a\\eb"');
    expect(quoteValue('y'.repeat(200), 5)).toBe('"yyyyy... (195 more characters)"');
  });
});
