import {
  type CST,
  type Document,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
} from 'yaml';
import { MatrixError } from '../contracts/errors.ts';
import { quoteValue } from '../contracts/safe-text.ts';
import { MATRIX_LIMITS } from './input-limits.ts';

// The checks that keep a hostile matrix file from hanging or crashing the loader, run on the
// parser's tokens (before anything recursive sees them) and on the composed document (before
// its data is built). Each error names the file, the line and the limit.

// Nesting depth and keys per mapping, walked with an explicit stack: the composer, `toJS`, the
// schema check and the loader all recurse, so depth is bounded before they run.
export function checkTokenLimits(tokens: readonly CST.Token[], lineCounter: LineCounter, file: string): void {
  const stack: Array<[CST.Token, number]> = tokens.map((token) => [token, 0]);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [token, depth] = next;
    if (token.type === 'document') {
      if (token.value) stack.push([token.value, depth]);
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')
      continue;
    if (depth + 1 > MATRIX_LIMITS.maxDepth) {
      throw limitError(
        file,
        lineCounter,
        token.offset,
        `mappings and lists nest deeper than ${MATRIX_LIMITS.maxDepth} levels here`,
        'flatten the structure; a matrix needs a handful of levels',
      );
    }
    const isMapping =
      token.type === 'block-map' || (token.type === 'flow-collection' && token.start.source === '{');
    if (isMapping && token.items.length > MATRIX_LIMITS.maxKeysPerMapping) {
      throw limitError(
        file,
        lineCounter,
        token.offset,
        `this mapping has ${token.items.length} keys, more than the limit of ${MATRIX_LIMITS.maxKeysPerMapping}`,
        'split it up; no matrix needs that many keys in one place',
      );
    }
    for (const item of token.items) {
      if (item.key) stack.push([item.key, depth + 1]);
      if (item.value) stack.push([item.value, depth + 1]);
    }
  }
}

// Duplicate keys (with a Set per mapping: yaml's own `uniqueKeys` compares every key with every
// earlier one, quadratic in the keys of a mapping), aliases that refer to no earlier anchor or to
// a node containing them (a cycle), and the number of nodes aliases repeat.
export function checkDocumentLimits(doc: Document, lineCounter: LineCounter, file: string): void {
  const anchors = new Map<string, Node>();
  const sizes = new Map<Node, number>();
  const ancestors: Node[] = [];
  let expansion = 0;
  const at = (node: Node | null | undefined) => node?.range?.[0] ?? 0;

  const measure = (node: unknown): number => {
    if (isAlias(node)) {
      const source = anchors.get(node.source);
      if (!source) {
        throw limitError(
          file,
          lineCounter,
          at(node),
          `the alias *${node.source} refers to no anchor &${node.source} defined before it`,
        );
      }
      if (ancestors.includes(source)) {
        throw limitError(
          file,
          lineCounter,
          at(node),
          `the alias *${node.source} is inside the node its anchor &${node.source} names: the data would contain itself`,
          'an alias may only repeat a node that is complete before it',
        );
      }
      const size = sizes.get(source) ?? 1;
      expansion += size;
      if (expansion > MATRIX_LIMITS.maxAliasExpansion) {
        throw limitError(
          file,
          lineCounter,
          at(node),
          `aliases repeat more than ${MATRIX_LIMITS.maxAliasExpansion} nodes in total (this one, *${node.source}, ${size})`,
          'aliases that repeat aliases multiply; write the values out or use fewer levels',
        );
      }
      return size;
    }
    if (!isNode(node)) return 0;
    if (node.anchor) anchors.set(node.anchor, node);
    let size = 1;
    if (isMap(node) || isSeq(node)) {
      ancestors.push(node);
      const keys = isMap(node) ? new Set<string>() : undefined;
      for (const item of node.items) {
        if (!isPair(item)) {
          size += measure(item);
          continue;
        }
        if (keys && isScalar(item.key)) {
          const name = item.key.value === null ? '\u0000null' : String(item.key.value);
          if (keys.has(name)) {
            throw limitError(
              file,
              lineCounter,
              at(item.key),
              `the key ${quoteValue(name)} appears twice in this mapping`,
              'keys of a mapping must be unique; remove or rename one',
            );
          }
          keys.add(name);
        }
        size += measure(item.key) + measure(item.value);
      }
      ancestors.pop();
    }
    sizes.set(node, size);
    return size;
  };
  measure(doc.contents);
}

function limitError(
  file: string,
  lineCounter: LineCounter,
  offset: number,
  message: string,
  hint?: string,
): MatrixError {
  const pos = lineCounter.linePos(offset);
  return new MatrixError({ file, line: pos.line, column: pos.col }, message, hint ? { hint } : {});
}
