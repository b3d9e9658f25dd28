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
      '      containerd2:\n',
      '      docker:\n        vars: { container_runtime: docker }\n      containerd2:\n',
    );
    const after = new Set(loadMatrix(grown, shippedMatrixFile).cells.map((c) => c.name));
    for (const name of before) expect(after.has(name), name).toBe(true);
  });

  it('do not change when an axis is added whose existing behaviour is marked omitFromName', () => {
    const text = readRepoFile(shippedMatrixFile);
    const before = loadMatrix(text, shippedMatrixFile).cells.map((c) => c.name);
    const grown = replaceOnce(
      text,
      '  layout:\n    description:',
      '  ipfamily:\n    values:\n      ipv4: { omitFromName: true }\n      dual: { vars: { ip_family: dual } }\n' +
        '  layout:\n    description:',
    );
    const after = loadMatrix(grown, shippedMatrixFile);
    const names = new Set(after.cells.map((c) => c.name));
    for (const name of before) expect(names.has(name), name).toBe(true);
    expect(after.cellsByName.get('debian12-1.34-containerd-bridge-aio-deploy')?.axes.ipfamily).toBe('ipv4');
    expect(names.has('debian12-1.34-containerd-bridge-dual-aio-deploy')).toBe(true);
  });

  it('refuses two omitFromName values on one axis', () => {
    const text = replaceOnce(
      readRepoFile(shippedMatrixFile),
      '      containerd:\n',
      '      containerd:\n        omitFromName: true\n',
    ).replace('      containerd2:\n', '      containerd2:\n        omitFromName: true\n');
    expect(() => loadMatrix(text, 'm.yaml')).toThrow(
      /^m\.yaml:\d+:\d+ \(at axes\.runtime\.values\.containerd2\.omitFromName\): axis "runtime" has more than one value with omitFromName/,
    );
  });

  it('are unique and usable as file and job names', () => {
    const names = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile).cells.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
  });
});
