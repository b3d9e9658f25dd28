import { describe, expect, it } from 'vitest';
import { loadMatrix } from './load-matrix.ts';
import { loadSmall, readRepoFile, replaceOnce, shippedMatrixFile } from './test-helpers.ts';

describe('cell names', () => {
  it('join the axis values in axis order, then the scenario', () => {
    const cell = loadSmall().cellsByName.get('debian12-1.34-crio-flannel-1cp-1w-scale-worker');
    expect(cell?.axes).toEqual({
      os: 'debian12',
      kubernetes: '1.34',
      runtime: 'crio',
      network: 'flannel',
      layout: '1cp-1w',
    });
    expect(cell?.scenario).toBe('scale-worker');
  });

  it('do not change when a value is added to an axis', () => {
    const before = loadSmall().cells.map((c) => c.name);
    const after = loadSmall((t) =>
      replaceOnce(
        t,
        '      debian13: { vars: { kvmatrix_os: debian13 } }',
        '      debian13: { vars: { kvmatrix_os: debian13 } }\n      ubuntu2404: { vars: { kvmatrix_os: ubuntu2404 } }',
      ),
    ).cells.map((c) => c.name);
    expect(after.length).toBeGreaterThan(before.length);
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.filter((n) => !before.includes(n)).every((n) => n.startsWith('ubuntu2404-'))).toBe(true);
  });

  it('do not change when a value is added in the middle of an axis of the shipped matrix', () => {
    const text = readRepoFile(shippedMatrixFile);
    const before = loadMatrix(text, shippedMatrixFile).cells.map((c) => c.name);
    const grown = replaceOnce(
      text,
      '      crio:\n',
      '      docker:\n        vars: { container_runtime: docker }\n      crio:\n',
    );
    const after = new Set(loadMatrix(grown, shippedMatrixFile).cells.map((c) => c.name));
    for (const name of before) expect(after.has(name), name).toBe(true);
  });

  it('are unique and usable as file and job names', () => {
    const names = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile).cells.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
  });
});
