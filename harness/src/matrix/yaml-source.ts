import {
  Composer,
  type CST,
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
  parseDocument,
  visit,
  YAMLParseError,
} from 'yaml';
import { MatrixError, type SourceLocation } from '../contracts/errors.ts';
import { MATRIX_LIMITS } from './input-limits.ts';
import { checkDocumentLimits, checkTokenLimits } from './yaml-limits.ts';

export type KeyPath = ReadonlyArray<string | number>;

// A parsed YAML file that can say where any key path came from (file, line, column), so that
// every error about the matrix points at the text the user wrote. Pure: text in, data out.
export interface YamlSource {
  file: string;
  data: unknown;
  // Where the value at `path` starts; with `key`, where the mapping key `key` of it starts.
  locate(path: KeyPath, key?: string): SourceLocation;
}

// Bounded whatever the text holds: size, nesting, keys per mapping and alias expansion are
// checked (yaml-limits.ts) before the recursive parts of the yaml library and of the loader see it.
export function parseYamlSource(text: string, file: string): YamlSource {
  checkSize(text, file);
  const lineCounter = new LineCounter();
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  checkTokenLimits(tokens, lineCounter, file);
  const doc = composeDocument(tokens, text.length);
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new MatrixError(
      { file, line: pos.line, column: pos.col },
      `the file is not valid YAML: ${firstLine(first.message)}`,
      { hint: 'fix the YAML syntax at that position (an editor with the YAML language server shows it)' },
    );
  }
  rejectNonStringKeys(doc, lineCounter, file);
  checkDocumentLimits(doc, lineCounter, file);
  let data: unknown;
  try {
    // checkDocumentLimits bounds what aliases repeat; the library's own count stays as a backstop.
    data = doc.toJS({ maxAliasCount: 1_000_000 });
  } catch (cause) {
    throw new MatrixError({ file }, `the file cannot be read as data: ${firstLine(String(cause))}`, {
      cause,
    });
  }
  return {
    file,
    data,
    locate: (path, key) => locateIn(doc, lineCounter, file, path, key),
  };
}

function checkSize(text: string, file: string): void {
  const bytes = text.length > MATRIX_LIMITS.maxBytes / 4 ? Buffer.byteLength(text) : text.length;
  if (bytes > MATRIX_LIMITS.maxBytes) {
    throw new MatrixError(
      { file },
      `the file has ${bytes} bytes, more than the limit of ${MATRIX_LIMITS.maxBytes}`,
      {
        hint: 'a matrix file is tens of KB; is this the right file?',
      },
    );
  }
}

// What the library's parseDocument does, from tokens already checked. Duplicate keys are found by
// checkDocumentLimits (`uniqueKeys` of the library is quadratic in the keys of a mapping).
function composeDocument(tokens: CST.Token[], length: number): Document {
  const composer = new Composer({ uniqueKeys: false });
  let doc: Document | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(...next.errors);
      if (next.errors.length === 0)
        doc.errors.push(
          new YAMLParseError(
            next.range.slice(0, 2) as [number, number],
            'MULTIPLE_DOCS',
            'the file holds more than one YAML document',
          ),
        );
      break;
    }
  }
  return doc as Document;
}

// `1.30:` as a key is the number 1.3 and `1e3:` is 1000: names would silently change. Keys must
// read as strings; the error says to quote them.
function rejectNonStringKeys(doc: Document, lineCounter: LineCounter, file: string): void {
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (isMap(key) || isSeq(key)) {
        const pos = lineCounter.linePos((key as Node).range?.[0] ?? 0);
        throw new MatrixError(
          { file, line: pos.line, column: pos.col },
          'a mapping or list is used as a key here, not a name',
          {
            hint: 'keys are names; check the indentation and the "? " of a complex key',
          },
        );
      }
      if (isScalar(key) && key.value !== null && typeof key.value !== 'string') {
        const pos = lineCounter.linePos(key.range?.[0] ?? 0);
        const source = typeof key.source === 'string' ? key.source : String(key.value);
        throw new MatrixError(
          { file, line: pos.line, column: pos.col },
          `the key ${source} reads as ${typeof key.value} ${JSON.stringify(key.value)}, not as a name`,
          { hint: `quote it: "${source}"` },
        );
      }
    },
  });
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function locateIn(
  doc: Document,
  lineCounter: LineCounter,
  file: string,
  path: KeyPath,
  key?: string,
): SourceLocation {
  const fullPath = key === undefined ? path : [...path, key];
  const where: SourceLocation = { file, path: formatKeyPath(fullPath) };
  // Walk as deep as the document goes: a missing key points at its parent.
  let node: Node | null | undefined = doc.contents;
  let offset = node?.range?.[0];
  for (const [index, part] of fullPath.entries()) {
    const isLastKey = key !== undefined && index === fullPath.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(part));
      if (!pair) break;
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      offset = isLastKey
        ? (keyNode?.range?.[0] ?? offset)
        : (valueNode?.range?.[0] ?? keyNode?.range?.[0] ?? offset);
      node = valueNode;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  if (offset !== undefined) {
    const pos = lineCounter.linePos(offset);
    where.line = pos.line;
    where.column = pos.col;
  }
  return where;
}

function keyText(key: unknown): string {
  if (key && typeof key === 'object' && 'value' in key) return String((key as { value: unknown }).value);
  return String(key);
}

// `axes.kubernetes.values["1.34"].vars`, `scenarios.upgrade.steps[1]`: how users read a key path.
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
