import path from 'node:path';
import { formatLocation, MatrixError } from '../contracts/errors.ts';
import type { LoadedMatrix } from './load-matrix.ts';
import type { PlaybookContract } from './playbook-contract.ts';

// The matrix may promise only what the deployment code delivers. Pure: the contract and the list
// of tracked files come in as data (read-matrix.ts reads them).

// Every cell's axis variables must be values the playbooks' validation accepts; the first cell
// that breaks it fails the load, pointing at the axis value's variable in the matrix.
export function checkPlaybookContract(matrix: LoadedMatrix, contract: PlaybookContract): void {
  const { axes } = matrix.definition;
  const checked = new Set<string>();
  for (const cell of matrix.cells) {
    for (const axis of axes) {
      const valueId = cell.axes[axis.id];
      const value = axis.values.find((v) => v.id === valueId);
      if (!value || checked.has(`${axis.id}\0${value.id}`)) continue;
      checked.add(`${axis.id}\0${value.id}`);
      for (const rule of contract.accepted) {
        if (!(rule.variable in value.vars)) continue;
        const given = value.vars[rule.variable];
        if (typeof given === 'string' && rule.values.includes(given)) continue;
        throw new MatrixError(
          matrix.locate(['axes', axis.id, 'values', value.id, 'vars', rule.variable]),
          `${rule.variable} ${JSON.stringify(given)} (cell ${cell.name}) is rejected by the playbooks' validation: ` +
            `${formatLocation(rule.assertedAt)} asserts ${rule.variable} in ${rule.listVariable}, and ` +
            `${formatLocation(rule.definedAt)} accepts: ${rule.values.join(', ')}`,
          {
            hint: `give the playbooks a role for it and add it to ${rule.listVariable}, or take the value out of the matrix (matrix/README.md: "Adding a container runtime")`,
          },
        );
      }
    }
  }
}

// Every changeImpact glob (ignore and rules) must match at least one tracked file: a glob that
// matches nothing is a typo or a path that moved, and its rule silently never fires.
export function checkChangeImpactGlobs(matrix: LoadedMatrix, trackedFiles: readonly string[]): void {
  const { ignore, rules } = matrix.definition.changeImpact;
  const globs: Array<{ glob: string; at: Array<string | number> }> = [
    ...ignore.map((glob, i) => ({ glob, at: ['changeImpact', 'ignore', i] })),
    ...rules.flatMap((rule, r) =>
      rule.paths.map((glob, i) => ({ glob, at: ['changeImpact', 'rules', r, 'paths', i] })),
    ),
  ];
  for (const { glob, at } of globs) {
    if (trackedFiles.some((file) => path.posix.matchesGlob(file, glob))) continue;
    throw new MatrixError(matrix.locate(at), `the change-impact glob "${glob}" matches no tracked file`, {
      hint: 'globs are relative to the repository root (as `git ls-files` prints paths); fix the path or remove the glob',
    });
  }
}
