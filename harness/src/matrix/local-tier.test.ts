import { describe, expect, it } from 'vitest';
import { loadMatrix } from './load-matrix.ts';
import { selectChanged } from './select-changed.ts';
import { selectTier } from './select-tier.ts';
import { readRepoFile, shippedMatrixFile } from './test-helpers.ts';

const localProviders = ['podman', 'qemu'];

describe('the shipped matrix on one machine', () => {
  const matrix = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);

  it('has a local-tier cell for every axis value a local provider can run', () => {
    const local = selectTier(matrix, 'local').cells;
    const missing: string[] = [];
    for (const axis of matrix.definition.axes) {
      for (const value of axis.values) {
        const runnable =
          !value.unverified && (!value.providers || value.providers.some((p) => localProviders.includes(p)));
        if (runnable && !local.some((cell) => cell.axes[axis.id] === value.id)) {
          missing.push(`${axis.id} ${value.id}`);
        }
      }
    }
    expect(missing).toEqual([]);
    // And the local tier runs only what a local provider can run.
    for (const cell of local) {
      for (const axis of matrix.definition.axes) {
        const value = axis.values.find((v) => v.id === cell.axes[axis.id]);
        expect(value?.unverified, cell.name).toBeUndefined();
        if (value?.providers)
          expect(
            value.providers.some((p) => localProviders.includes(p)),
            cell.name,
          ).toBe(true);
      }
    }
  });

  it('keeps the cells of a value not verified here out of every tier, and marks them', () => {
    const ubuntu = matrix.cells.filter((c) => c.axes.os === 'ubuntu2404');
    expect(ubuntu.length).toBeGreaterThan(0);
    for (const cell of ubuntu)
      expect(cell.unverified?.[0]).toMatch(/^os ubuntu2404: Ubuntu's archive is unreachable/);
    for (const tier of matrix.definition.tiers) {
      expect(
        selectTier(matrix, tier.id).cells.filter((c) => c.unverified),
        tier.id,
      ).toEqual([]);
    }
  });

  it('selects the operator cells for a change under operator/src', () => {
    for (const tierId of ['pr', 'local']) {
      const { tier, cells } = selectTier(matrix, tierId);
      const result = selectChanged(matrix, tier, cells, ['operator/src/api/v1alpha1/cluster-deployment.ts']);
      expect(result.wholeTier).toBe(false);
      expect(result.cells.length).toBeGreaterThan(0);
      expect(result.cells.every((c) => c.scenario === 'operator')).toBe(true);
      // A pairwise tier gets the covering set of the operator sub-product; the local tier its own.
      if (tierId === 'local') expect(result.cells).toEqual(cells.filter((c) => c.scenario === 'operator'));
    }
  });

  it('selects by OS for a change of one OS’s VM template', () => {
    const { tier, cells } = selectTier(matrix, 'pr');
    const result = selectChanged(matrix, tier, cells, ['vm-templates/os/debian13.yaml']);
    expect(result.cells.length).toBeGreaterThan(0);
    expect(result.cells.every((c) => c.axes.os === 'debian13')).toBe(true);
  });
});
