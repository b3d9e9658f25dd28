import { Document, isNode, isScalar, type ToStringOptions, visit } from 'yaml';
import { escapeControlCharacters } from './safe-text.ts';

// YAML that every reader parses to the same data. The yaml library writes YAML 1.2, where NEL
// (U+0085) and the line and paragraph separators (U+2028, U+2029) are ordinary characters, and
// it writes them raw, in comments and in plain scalars. A YAML 1.1 reader (libyaml, which GitLab
// uses, and PyYAML, which Ansible and cloud-init use) reads each as a line break: a matrix
// quarantine `reason` with a NEL turned the rest of its comment into a new pipeline job. So:
// comments are escaped to visible text, strings holding such characters are double-quoted, and
// the characters themselves are written as escapes, which both versions read alike.

// Line breaks of YAML 1.1 beyond \n and \r, the other C0 and C1 controls, DEL and the BOM.
const UNSAFE_IN_YAML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g;
const NEEDS_QUOTES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

// A comment as it may appear after `#`: one line per \n, nothing a reader could take as a break.
export function yamlComment(text: string): string {
  return text
    .split('\n')
    .map((line) => escapeControlCharacters(line).replace(/\ufeff/g, '\\ufeff'))
    .join('\n');
}

// A string as a double-quoted YAML scalar (JSON's escapes are YAML's; the rest added).
export function yamlQuoted(value: string): string {
  return escapeUnsafe(JSON.stringify(value));
}

// Writes a document through the library with the rules above.
export function documentToSafeYaml(doc: Document, options: ToStringOptions = {}): string {
  if (doc.commentBefore) doc.commentBefore = yamlComment(doc.commentBefore);
  if (doc.comment) doc.comment = yamlComment(doc.comment);
  visit(doc, {
    Node(_, node) {
      if (!isNode(node)) return;
      if (node.commentBefore) node.commentBefore = yamlComment(node.commentBefore);
      if (node.comment) node.comment = yamlComment(node.comment);
      if (isScalar(node)) {
        if (typeof node.value === 'string' && NEEDS_QUOTES.test(node.value)) node.type = 'QUOTE_DOUBLE';
        if (typeof node.source === 'string' && NEEDS_QUOTES.test(node.source)) node.type = 'QUOTE_DOUBLE';
      }
    },
    Pair(_, pair) {
      for (const part of [pair.key, pair.value]) {
        if (isScalar(part) && typeof part.value === 'string' && NEEDS_QUOTES.test(part.value))
          part.type = 'QUOTE_DOUBLE';
      }
    },
  });
  // Every string holding such a character is double-quoted now, where escapes are valid.
  return escapeUnsafe(doc.toString({ lineWidth: 0, ...options }));
}

// `stringify` of the library, written with the same rules.
export function stringifySafeYaml(value: unknown, options: ToStringOptions = {}): string {
  return documentToSafeYaml(new Document(value, { aliasDuplicateObjects: false }), options);
}

function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_IN_YAML, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x85) return '\\N';
    if (code === 0x2028) return '\\L';
    if (code === 0x2029) return '\\P';
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
