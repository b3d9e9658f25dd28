import { MatrixError, type SourceLocation } from '../contracts/errors.ts';
import { buildDefinition } from './build-definition.ts';
import { checkCellsResolve } from './check-cells.ts';
import { checkReferences } from './check-references.ts';
import { expandMatrix } from './expand-matrix.ts';
import { matchesSelector } from './match-selector.ts';
import type { MatrixCell, MatrixDefinition } from './model.ts';
import { compileMatrixSchema, validateMatrixSchema } from './validate-schema.ts';
import { type KeyPath, parseYamlSource } from './yaml-source.ts';

// A matrix file read, validated and expanded: the definition, every cell of the full matrix in
// canonical order, and the way back from a key path to the file's text for later errors.
export interface LoadedMatrix {
  definition: MatrixDefinition;
  cells: MatrixCell[];
  cellsByName: Map<string, MatrixCell>;
  productSize: number;
  locate(path: KeyPath, key?: string): SourceLocation;
}

// Text in, matrix out (no I/O): YAML syntax, then the published schema, then references, then
// expansion and the resolution of every cell. Fails with the first problem as a MatrixError
// naming file, line, column and key path; nothing else escapes.
export function loadMatrix(text: string, file: string): LoadedMatrix {
  compileMatrixSchema(); // a broken schema is a bug of kvmatrix, not of the file
  try {
    const source = parseYamlSource(text, file);
    validateMatrixSchema(source);
    const definition = buildDefinition(source.data as Record<string, unknown>, file);
    checkReferences(definition, source);
    const { cells, productSize } = expandMatrix(definition, source.locate);
    const matrix: LoadedMatrix = {
      definition,
      cells,
      cellsByName: new Map(cells.map((c) => [c.name, c])),
      productSize,
      locate: source.locate,
    };
    if (cells.length === 0) {
      throw new MatrixError(
        source.locate(['axes']),
        'the matrix has no cell: the excludes and scenario `when`s rule out every combination',
      );
    }
    checkCellsResolve(matrix);
    checkTiersSelectSomething(matrix);
    return matrix;
  } catch (error) {
    if (error instanceof MatrixError) throw error;
    // A gap in the checks above must still read as a problem of this file, never a crash.
    throw new MatrixError(
      { file },
      `the matrix cannot be loaded: ${String((error as Error)?.message ?? error)}`,
      {
        cause: error,
        hint: 'this is probably a gap in kvmatrix validation; please report it with the file',
      },
    );
  }
}

function checkTiersSelectSomething(matrix: LoadedMatrix): void {
  for (const tier of matrix.definition.tiers) {
    tier.cells.forEach((name, i) => {
      if (!matrix.cellsByName.has(name)) {
        throw new MatrixError(matrix.locate(['tiers', tier.id, 'cells', i]), `unknown cell "${name}"`, {
          hint: 'copy the name from `kvmatrix matrix list`',
        });
      }
    });
    (tier.seed ?? []).forEach((name, i) => {
      if (!['quarantined', 'failed', 'previous'].includes(name) && !matrix.cellsByName.has(name)) {
        throw new MatrixError(matrix.locate(['tiers', tier.id, 'seed', i]), `unknown seed "${name}"`, {
          hint: 'a seed is a cell name (see `kvmatrix matrix list`), `quarantined`, `failed` or `previous`',
        });
      }
    });
    if (tier.cells.length > 0) continue;
    const any =
      tier.strategy !== 'cells' &&
      matrix.cells.some(
        (c) =>
          (tier.includeUnverified || !c.unverified) &&
          (!tier.where || matchesSelector(tier.where, c)) &&
          !tier.exclude.some((e) => matchesSelector(e, c)),
      );
    if (!any) {
      throw new MatrixError(matrix.locate(['tiers', tier.id]), `tier "${tier.id}" selects no cell`, {
        hint:
          tier.strategy === 'cells'
            ? 'a tier with strategy `cells` needs a `cells:` list'
            : 'its `where` and `exclude` leave nothing of the matrix; widen them or name cells',
      });
    }
  }
}
