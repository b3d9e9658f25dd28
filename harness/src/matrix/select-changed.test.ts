import { describe, expect, it } from 'vitest';
import { matrixDimensions } from './cover-cells.ts';
import { measureCoverage } from './cover-interactions.ts';
import type { MatrixCell } from './model.ts';
import { selectChanged } from './select-changed.ts';
import { selectTier, tierBase } from './select-tier.ts';
import { loadSmall } from './test-helpers.ts';

describe('selecting cells by changed files', () => {
  const matrix = loadSmall();
  const nightly = selectTier(matrix, 'nightly');
  const pr = selectTier(matrix, 'pr');

  it('selects the cells a rule maps a file to', () => {
    const result = selectChanged(matrix, pr.tier, pr.cells, ['playbooks/roles/containerd/tasks/main.yml']);
    expect(result.wholeTier).toBe(false);
    expect(result.cells.length).toBeGreaterThan(0);
    expect(result.cells.every((c) => c.axes.runtime === 'containerd')).toBe(true);
    expect(result.explain[result.cells[0]?.name ?? '']).toEqual([
      'playbooks/roles/containerd/tasks/main.yml: rule playbooks/roles/containerd/** (runtime: containerd)',
    ]);
  });

  it('covers every pair of the narrowed sub-product, which the global set filtered does not', () => {
    const { sizes, rowOf } = matrixDimensions(matrix.definition);
    const sub = tierBase(matrix, pr.tier).filter((c) => c.axes.runtime === 'containerd');
    const pairs = (cells: MatrixCell[]) => measureCoverage(sub.map(rowOf), cells.map(rowOf), sizes);
    const result = selectChanged(matrix, pr.tier, pr.cells, ['playbooks/roles/containerd/tasks/main.yml']);
    const filtered = pr.cells.filter((c) => c.axes.runtime === 'containerd');
    expect(pairs(result.cells).covered).toBe(pairs(result.cells).required);
    expect(pairs(filtered).covered).toBeLessThan(pairs(filtered).required);
    expect(result.coverage?.pairs.covered).toBe(result.coverage?.pairs.required);
  });

  it('selects cells whose layout has a machine of a rule’s role', () => {
    const result = selectChanged(matrix, pr.tier, pr.cells, ['playbooks/roles/etcd/defaults/main.yml']);
    expect(result.cells.length).toBeGreaterThan(0);
    expect(result.cells.every((c) => c.axes.layout === 'external-etcd')).toBe(true);
  });

  it('lets the first matching rule decide a file', () => {
    // playbooks/upgrade.yml also matches the later catch-all playbooks/**.
    const result = selectChanged(matrix, pr.tier, pr.cells, ['playbooks/upgrade.yml']);
    expect(result.cells.every((c) => c.scenario === 'upgrade')).toBe(true);
  });

  it('unites what several files select', () => {
    const result = selectChanged(matrix, pr.tier, pr.cells, [
      'playbooks/upgrade.yml',
      'playbooks/roles/etcd/x.yml',
    ]);
    expect(result.cells.some((c) => c.scenario === 'upgrade')).toBe(true);
    expect(result.cells.some((c) => c.axes.layout === 'external-etcd')).toBe(true);
    expect(result.cells.every((c) => c.scenario === 'upgrade' || c.axes.layout === 'external-etcd')).toBe(
      true,
    );
  });

  it('selects nothing for ignored files and says so', () => {
    const result = selectChanged(matrix, pr.tier, pr.cells, ['docs/README.md']);
    expect(result.cells).toEqual([]);
    expect(result.files.ignored).toEqual(['docs/README.md']);
    expect(result.reasons.join('\n')).toContain('1 ignored');
  });

  it('selects the whole tier for a file no rule knows, and says why', () => {
    const result = selectChanged(matrix, pr.tier, pr.cells, ['playbooks/upgrade.yml', 'tools/new-script.sh']);
    expect(result.wholeTier).toBe(true);
    expect(result.cells).toEqual(pr.cells);
    expect(result.reasons).toEqual([
      'tools/new-script.sh matches no change-impact rule in harness/test/fixtures/matrix/small.yaml and the playbook analysis does not know it: selecting the whole tier',
    ]);
  });

  it('ignores changes for a tier with changeImpact: false', () => {
    const result = selectChanged(matrix, nightly.tier, nightly.cells, ['docs/README.md']);
    expect(result.cells).toEqual(nightly.cells);
    expect(result.reasons[0]).toContain('changeImpact: false');
  });
});
