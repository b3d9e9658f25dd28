import type { LoadedMatrix } from './load-matrix.ts';
import type { MatrixCell } from './model.ts';
import {
  type DeploymentCode,
  type PreparedCode,
  prepareCode,
  type Reach,
  type RunContext,
  walkEntry,
} from './playbook-graph.ts';
import type { DerivedImpact, FileImpact } from './select-changed.ts';

// Which cells a change to the deployment code can affect, derived from the code itself: a cell
// is affected by a file when one of its steps' entry playbooks reaches that file for the cell's
// axis variables and layout (see playbook-graph.ts), or when its walk met something it could not
// follow. A file no cell of the matrix reaches is not understood (undefined): it then falls to
// the matrix's catch-all rules, which select the whole tier. Pure; walks are memoised per
// distinct (entries, variables, groups).
export function createPlaybookImpact(matrix: LoadedMatrix, code: DeploymentCode): DerivedImpact {
  const prepared = prepareCode(code);
  const memo = new Map<string, Reach>();
  const reachOf = (cell: MatrixCell): Reach => {
    const { entries, ctx } = runOf(matrix, cell);
    const key = JSON.stringify([entries, ctx.vars, [...ctx.groups].sort()]);
    let reach = memo.get(key);
    if (!reach) {
      reach = mergeReaches(entries.map((e) => walkEntry(prepared, e, ctx)));
      memo.set(key, reach);
    }
    return reach;
  };
  const understood = new Map<string, boolean>();
  return {
    impactOf(file: string): FileImpact | undefined {
      if (!code.has(file)) return undefined;
      let known = understood.get(file);
      if (known === undefined) {
        known = matrix.cells.some((cell) => reachOf(cell).files.has(file));
        understood.set(file, known);
      }
      if (!known) return undefined;
      return {
        affects(cell) {
          const reach = reachOf(cell);
          const chain = reach.files.get(file);
          if (chain) return `reached by ${chain}`;
          if (reach.unresolved.length) return `possibly reached: ${reach.unresolved[0]}`;
          return undefined;
        },
      };
    },
  };
}

// The entry playbooks a cell's steps run (in the repository's playbooks/ folder), its axis
// values' Ansible variables, and the inventory groups its layout fills (managed machines are
// not in the harness's inventory).
export function runOf(matrix: LoadedMatrix, cell: MatrixCell): { entries: string[]; ctx: RunContext } {
  const def = matrix.definition;
  const scenario = def.scenarios.find((s) => s.id === cell.scenario);
  const entries = [
    ...new Set(
      (scenario?.steps ?? []).flatMap((id) => {
        const playbook = def.steps[id]?.playbook;
        return playbook ? [`playbooks/${playbook}`] : [];
      }),
    ),
  ];
  const vars: Record<string, unknown> = {};
  for (const axis of def.axes) {
    Object.assign(vars, axis.values.find((v) => v.id === cell.axes[axis.id])?.vars ?? {});
  }
  const groups = new Set<string>();
  for (const node of def.layouts[cell.axes.layout ?? '']?.nodes ?? []) {
    if (node.roles.includes('managed')) continue;
    if (node.roles.includes('control-plane')) groups.add('kube_control_plane').add('k8s_cluster');
    if (node.roles.includes('worker')) groups.add('kube_node').add('k8s_cluster');
    if (node.roles.includes('etcd')) groups.add('etcd');
  }
  return { entries, ctx: { vars, groups } };
}

function mergeReaches(reaches: Reach[]): Reach {
  const merged: Reach = { files: new Map(), unresolved: [] };
  for (const reach of reaches) {
    for (const [file, chain] of reach.files) if (!merged.files.has(file)) merged.files.set(file, chain);
    merged.unresolved.push(...reach.unresolved);
  }
  return merged;
}

export type { DeploymentCode, PreparedCode };
