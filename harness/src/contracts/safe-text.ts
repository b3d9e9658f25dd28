// Text that came from a user, a file or another program, made safe to show on a terminal or in
// a log: control characters and invisible direction marks are shown as escapes (so ESC, BEL, CR,
// NUL or a right-to-left override cannot move the cursor, ring, overwrite a line or reorder
// what the reader sees) and over-long values are cut, saying how much was left out.

// C0 except tab and newline, DEL, C1 (with U+0085 NEL), the Unicode line and paragraph
// separators, and the bidirectional controls and marks.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function hasControlCharacters(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

export function escapeControlCharacters(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x0d) return '\\r';
    if (code === 0x1b) return '\\e';
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// Cuts `text` to `max` characters (UTF-16 units, never splitting a surrogate pair).
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}... (${text.length - end} more characters)`;
}

export interface TerminalTextOptions {
  // Longest line kept (after escaping); longer ones are cut.
  maxLineLength?: number;
  // Most lines kept; the rest are summarised in one line.
  maxLines?: number;
}

// What the error printer applies to every message, hint and cause: lines kept, each escaped and
// cut, and the number of lines bounded. Tabs and newlines stay (messages list things per line).
export function formatForTerminal(text: string, options: TerminalTextOptions = {}): string {
  const maxLineLength = options.maxLineLength ?? 400;
  const maxLines = options.maxLines ?? 60;
  // Bound the work on huge input before splitting it.
  const bounded =
    text.length > maxLineLength * maxLines * 2 ? text.slice(0, maxLineLength * maxLines * 2) : text;
  const lines = bounded.split('\n');
  const kept = lines.slice(0, maxLines).map((line) => cutText(escapeControlCharacters(line), maxLineLength));
  if (lines.length > maxLines) kept.push(`... (${lines.length - maxLines} more lines left out)`);
  else if (bounded.length < text.length)
    kept.push(`... (${text.length - bounded.length} more characters left out)`);
  return kept.join('\n');
}

// A value quoted inside a message: escaped, cut, and in double quotes.
export function quoteValue(value: string, max = 80): string {
  return `"${cutText(escapeControlCharacters(value), max)}"`;
}
