import { describe, expect, it } from 'vitest';
import { matrixDimensions } from './cover-cells.ts';
import { measureCoverage } from './cover-interactions.ts';
import { lastRunFailed } from './failed-cells.ts';
import { selectTier } from './select-tier.ts';
import { loadError, loadSmall, readRepoFile, replaceOnce, smallMatrixFile } from './test-helpers.ts';

const PR = '  pr: { strategy: pairwise }';
const withPr = (options: string) =>
  loadSmall((t) => replaceOnce(t, PR, `  pr: { strategy: pairwise, ${options} }`));

describe('tier options of the covering strategy', () => {
  it('keeps the greedy picks up to maxCells and records the pair coverage reached', () => {
    const full = selectTier(loadSmall(), 'pr');
    const cut = selectTier(withPr('maxCells: 4'), 'pr');
    expect(cut.cells).toHaveLength(4);
    expect(new Set(cut.pickOrder)).toEqual(new Set(full.pickOrder?.slice(0, 4)));
    expect(cut.coverage?.pairs.covered).toBeLessThan(cut.coverage?.pairs.required ?? 0);
    expect(full.coverage?.pairs.covered).toBe(full.coverage?.pairs.required);
    expect(cut.coverage?.maxCells).toBe(4);
  });

  it('covers every triple at strength 3, and triples of a group only within it', () => {
    const matrix = loadSmall();
    const { sizes, rowOf } = matrixDimensions(matrix.definition);
    const three = selectTier(withPr('strength: 3'), 'pr');
    const rows = matrix.cells.map(rowOf);
    expect(measureCoverage(rows, three.cells.map(rowOf), sizes, { strength: 3 })).toEqual(
      expect.objectContaining({ covered: three.coverage?.required }),
    );
    const group = selectTier(withPr('groups: [{ axes: [os, runtime, layout], strength: 3 }]'), 'pr');
    const two = selectTier(loadSmall(), 'pr');
    expect(group.cells.length).toBeGreaterThan(two.cells.length);
    expect(group.cells.length).toBeLessThan(three.cells.length);
    expect(group.coverage?.strength).toBe('2, 3 within os x runtime x layout');
  });

  it('starts the covering set from the named cells instead of adding them on top', () => {
    const name = 'debian13-1.33-containerd-flannel-external-etcd-deploy';
    const seeded = selectTier(withPr(`cells: [${name}]`), 'pr');
    expect(seeded.pickOrder?.[0]).toBe(name);
    expect(seeded.cells.map((c) => c.name)).toContain(name);
    expect(seeded.cells.length).toBeLessThanOrEqual(selectTier(loadSmall(), 'pr').cells.length + 1);
    expect(seeded.coverage?.pairs.covered).toBe(seeded.coverage?.pairs.required);
  });

  it('seeds quarantined cells, then the failed cells of the history, most recent first', () => {
    const failed = 'debian12-1.33-crio-bridge-1cp-1w-scale-worker';
    const history = {
      schemaVersion: 1 as const,
      cells: {
        [failed]: { abc: [{ outcome: 'failed' as const, finishedAt: '2026-12-02T10:00:00Z' }] },
        'debian12-1.33-crio-bridge-aio-deploy': {
          abc: [
            { outcome: 'failed' as const, finishedAt: '2026-12-01T10:00:00Z' },
            { outcome: 'passed' as const, finishedAt: '2026-12-01T11:00:00Z' },
          ],
        },
      },
    };
    expect(lastRunFailed(history)).toEqual([failed]);
    const tier = selectTier(withPr('seed: [quarantined, failed], maxCells: 3'), 'pr', {
      failed: lastRunFailed(history),
    });
    expect(tier.pickOrder?.slice(0, 2)).toEqual([
      'debian13-1.34-containerd-flannel-external-etcd-upgrade',
      failed,
    ]);
    expect(tier.cells).toHaveLength(3);
    expect(tier.coverage?.seeds).toHaveLength(2);
  });

  it('keeps every cell of the previous plan when an axis value is added (seed: previous)', () => {
    const before = selectTier(loadSmall(), 'pr').cells.map((c) => c.name);
    const grow = (t: string) =>
      replaceOnce(
        replaceOnce(t, PR, `  pr: { strategy: pairwise, seed: [previous] }`),
        '      flannel: { vars: { network_plugin: flannel } }',
        '      flannel: { vars: { network_plugin: flannel } }\n      calico: { vars: { network_plugin: calico } }',
      );
    const grown = loadSmall(grow);
    const fresh = selectTier(
      loadSmall((t) => grow(t).replace('seed: [previous]', '')),
      'pr',
    );
    const seeded = selectTier(grown, 'pr', { previous: before });
    const names = seeded.cells.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(before));
    expect(seeded.coverage?.pairs.covered).toBe(seeded.coverage?.pairs.required);
    expect(names.some((n) => n.includes('-calico-'))).toBe(true);
    // without the seed the greedy reshuffles: it keeps fewer of the old cells
    const keptFresh = fresh.cells.filter((c) => before.includes(c.name)).length;
    expect(keptFresh).toBeLessThan(before.length);
  });

  it('refuses covering options on a product tier and unknown seeds and axes, with file and line', () => {
    const text = readRepoFile(smallMatrixFile);
    const line = (needle: string, t: string) => t.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const product = replaceOnce(
      text,
      '  nightly: { strategy: product, changeImpact: false }',
      '  nightly: { strategy: product, changeImpact: false, maxCells: 5 }',
    );
    expect(loadError(product).message).toMatch(
      new RegExp(`^bad.yaml:${line('maxCells: 5', product)}:.*maxCells applies to strategy pairwise only`),
    );
    const seed = replaceOnce(text, PR, `${PR.slice(0, -2)}, seed: [no-such-cell] }`);
    expect(loadError(seed).message).toMatch(/tiers\.pr\.seed\[0\].*unknown seed "no-such-cell"/);
    const group = replaceOnce(
      text,
      PR,
      `${PR.slice(0, -2)}, groups: [{ axes: [os, distro], strength: 3 }] }`,
    );
    expect(loadError(group).message).toMatch(/tiers\.pr\.groups\[0\]\.axes\[1\].*unknown axis "distro"/);
  });
});

describe('constraints between axis values', () => {
  it('requires: cells matching `if` must match `requires`; the other cells stay', () => {
    const matrix = loadSmall((t) =>
      replaceOnce(
        t,
        'include:',
        'constraints:\n  - { if: { os: debian13 }, requires: { layout: [1cp-1w, external-etcd] } }\ninclude:',
      ),
    );
    const before = loadSmall();
    const debian13 = matrix.cells.filter((c) => c.axes.os === 'debian13');
    expect(debian13.length).toBeGreaterThan(0);
    expect(debian13.filter((c) => c.axes.layout === 'aio').map((c) => c.name)).toEqual([
      'debian13-1.34-crio-bridge-aio-deploy', // the include adds it back
    ]);
    expect(matrix.cells.filter((c) => c.axes.os === 'debian12')).toEqual(
      before.cells.filter((c) => c.axes.os === 'debian12'),
    );
  });

  it('implies: both ways, so the implied values appear only with the `if` values', () => {
    const matrix = loadSmall((t) =>
      replaceOnce(
        t,
        'include:',
        'constraints:\n  - { if: { layout: external-etcd }, implies: { network: flannel } }\ninclude:',
      ),
    );
    expect(matrix.cells.length).toBeGreaterThan(10);
    for (const cell of matrix.cells) {
      expect(cell.axes.layout === 'external-etcd', cell.name).toBe(cell.axes.network === 'flannel');
    }
  });

  it('rejects an unknown value in a constraint with its line', () => {
    const text = replaceOnce(
      readRepoFile(smallMatrixFile),
      'include:',
      'constraints:\n  - { if: { os: flatcar }, requires: { runtime: containerd } }\ninclude:',
    );
    expect(loadError(text).message).toMatch(
      /^bad\.yaml:\d+:\d+ \(at constraints\[0\]\.if\.os\): unknown value "flatcar"/,
    );
  });
});
