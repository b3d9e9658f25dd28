import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import matrixSchema from '../../../matrix/schema/matrix.schema.json' with { type: 'json' };
import { repoRoot } from '../host/paths.ts';
import { loadMatrix } from './load-matrix.ts';
import {
  loadError,
  loadSmall,
  readRepoFile,
  replaceOnce,
  shippedMatrixFile,
  smallMatrixFile,
} from './test-helpers.ts';

const small = () => readRepoFile(smallMatrixFile);

describe('loading a matrix', () => {
  it('loads the shipped matrix with at least 3 OSes, 2 versions, 2 runtimes, 2 networks and 4 layouts', () => {
    const matrix = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);
    const sizes = Object.fromEntries(matrix.definition.axes.map((a) => [a.id, a.values.length]));
    expect(sizes.os).toBeGreaterThanOrEqual(3);
    expect(sizes.kubernetes).toBeGreaterThanOrEqual(2);
    expect(sizes.runtime).toBeGreaterThanOrEqual(2);
    expect(sizes.network).toBeGreaterThanOrEqual(2);
    expect(sizes.layout).toBeGreaterThanOrEqual(4);
    const kinds = new Set(
      matrix.definition.scenarios.flatMap((s) => s.steps.map((id) => matrix.definition.steps[id]?.kind)),
    );
    for (const kind of ['deploy', 'scale-up', 'upgrade', 'parameter-change']) expect(kinds).toContain(kind);
    expect(matrix.definition.tiers.map((t) => t.id)).toEqual(
      expect.arrayContaining(['pr', 'nightly', 'release']),
    );
  });

  it('allows only playbook entries that exist in playbooks/', () => {
    const entries = matrixSchema.definitions.step.properties.playbook.enum;
    const files = readdirSync(path.join(repoRoot, 'playbooks'));
    for (const entry of entries) expect(files, entry).toContain(entry);
  });

  it('expands the fixture to the product minus excludes and scenario restrictions, plus includes', () => {
    const matrix = loadSmall();
    // deploy: 48 - 12 excluded + 1 included; scale-worker: 16 - 4; upgrade: 24 - 6.
    expect(matrix.cells).toHaveLength(37 + 12 + 18);
    expect(matrix.productSize).toBe(144);
    expect(matrix.cellsByName.has('debian13-1.34-crio-bridge-aio-deploy')).toBe(true);
    expect(matrix.cellsByName.has('debian13-1.34-crio-flannel-aio-deploy')).toBe(false);
    expect(matrix.cells.some((c) => c.scenario === 'scale-worker' && c.axes.layout !== '1cp-1w')).toBe(false);
  });

  it('keeps cells in canonical order: axes in file order, scenario last', () => {
    const names = loadSmall().cells.map((c) => c.name);
    expect(names[0]).toBe('debian12-1.33-containerd-bridge-aio-deploy');
    expect(names.indexOf('debian13-1.34-crio-bridge-aio-deploy')).toBeGreaterThan(
      names.indexOf('debian13-1.34-containerd-flannel-external-etcd-upgrade'),
    );
  });

  it('attaches overrides and quarantine to the matching cells', () => {
    const matrix = loadSmall();
    const cell = matrix.cellsByName.get('debian13-1.34-containerd-flannel-external-etcd-upgrade');
    expect(cell?.quarantine).toEqual({
      issue: 'https://gitlab.example.com/kvmatrix/-/issues/1',
      reason: 'flaky',
    });
    expect(cell?.overrides).toEqual({ machine: { memoryMiB: 3072 }, timeoutMinutes: 90 });
    expect(matrix.cellsByName.get('debian12-1.33-containerd-bridge-aio-deploy')?.overrides).toBeUndefined();
  });
});

describe('rejecting bad matrix input', () => {
  it('reports malformed YAML with file, line and column', () => {
    const error = loadError(
      replaceOnce(small(), '  pr: { strategy: pairwise }', '  pr: { strategy: pairwise'),
    );
    expect(error.message).toMatch(/^bad\.yaml:\d+:\d+: the file is not valid YAML/);
    expect(error.location.line).toBeGreaterThan(70);
  });

  it('reports an unknown axis value with its line, column and key path', () => {
    const text = replaceOnce(
      small(),
      '  - { os: debian13, runtime: crio }',
      '  - { os: debian11, runtime: crio }',
    );
    const error = loadError(text);
    const line = text.split('\n').findIndex((l) => l.includes('debian11')) + 1;
    expect(error.message).toBe(
      `bad.yaml:${line}:11 (at exclude[0].os): unknown value "debian11" for axis "os"; expected one of: debian12, debian13`,
    );
  });

  it('reports a scenario naming an unknown step at the step', () => {
    const error = loadError(
      replaceOnce(small(), 'steps: [deploy, add-worker]', 'steps: [deploy, add-wroker]'),
    );
    expect(error.message).toMatch(
      /^bad\.yaml:\d+:\d+ \(at scenarios\.scale-worker\.steps\[1\]\): unknown step "add-wroker"/,
    );
  });

  it('reports a step naming an unknown playbook with the allowed entries', () => {
    const error = loadError(replaceOnce(small(), 'playbook: upgrade.yml', 'playbook: upgrades.yml'));
    expect(error.message).toMatch(
      /\(at steps\.upgrade\.playbook\): "upgrades\.yml" is not allowed; expected one of: cluster\.yml/,
    );
  });

  it('reports an unknown key with the keys that are allowed', () => {
    const error = loadError(
      replaceOnce(small(), '  pr: { strategy: pairwise }', '  pr: { strategy: pairwise, tiemout: 3 }'),
    );
    expect(error.message).toMatch(
      /\(at tiers\.pr\.tiemout\): unknown key "tiemout"; expected one of: description, strategy/,
    );
  });

  it('reports a duplicate cell name from an include', () => {
    const text = replaceOnce(
      small(),
      'runtime: crio, network: bridge, layout: aio',
      'runtime: containerd, network: bridge, layout: aio',
    );
    const error = loadError(text);
    expect(error.message).toMatch(
      /\(at include\[0\]\): duplicate cell name "debian13-1\.34-containerd-bridge-aio-deploy"/,
    );
  });

  it('reports a duplicate cell name from values that collide when joined', () => {
    // runtime containerd + network bridge-x and runtime containerd-bridge + network x share a name.
    const text = replaceOnce(
      small(),
      '      crio: { vars:',
      '      containerd-bridge: {}\n      crio: { vars:',
    );
    const error = loadError(
      replaceOnce(text, '      flannel: { vars:', '      bridge-x: {}\n      x: {}\n      flannel: { vars:'),
    );
    expect(error.message).toMatch(
      /^bad\.yaml:16:7 \(at axes\.runtime\.values\.containerd-bridge\): duplicate cell name "debian12-1\.33-containerd-bridge-x-aio-deploy"/,
    );
  });

  it('reports a tier that selects nothing at the tier', () => {
    const error = loadError(
      replaceOnce(
        small(),
        '  pr: { strategy: pairwise }',
        '  pr: { strategy: pairwise, where: { os: debian13, runtime: crio, layout: 1cp-1w } }',
      ),
    );
    expect(error.message).toMatch(/^bad\.yaml:\d+:\d+ \(at tiers\.pr\): tier "pr" selects no cell/);
  });

  it('reports a scale step on a layout without a held-back machine', () => {
    const error = loadError(
      replaceOnce(small(), 'when: { layout: 1cp-1w }', 'when: { layout: [1cp-1w, aio] }'),
    );
    expect(error.message).toMatch(
      /\(at scenarios\.scale-worker\.when\): step "add-worker" of scenario "scale-worker" needs a held-back worker machine, but layout "aio" has none/,
    );
  });

  it('reports a step variable that a cell does not define', () => {
    const error = loadError(
      replaceOnce(small(), 'when: { kubernetes: "1.34" }', 'when: { kubernetes: ["1.33", "1.34"] }'),
    );
    expect(error.message).toMatch(
      /\(at steps\.deploy-previous\.vars\.kube_version\): step "deploy-previous" uses \$\{kube_version_previous\}/,
    );
  });

  it('reports a quarantined cell that does not exist', () => {
    const error = loadError(
      replaceOnce(
        small(),
        '  - cell: debian13-1.34-containerd-flannel-external-etcd-upgrade',
        '  - cell: debian13-1.34-containerd-flannel-external-etcd-upgrad',
      ),
    );
    expect(error.message).toMatch(/\(at quarantine\[0\]\.cell\): unknown cell/);
  });

  it('reports a key that YAML reads as a number, asking to quote it', () => {
    const text = replaceOnce(small(), '      "1.33": {', '      1.30: {');
    const error = loadError(text);
    const line = text.split('\n').findIndex((l) => l.includes('1.30:')) + 1;
    expect(error.message).toBe(`bad.yaml:${line}:7: the key 1.30 reads as number 1.3, not as a name`);
    expect(error.hint).toBe('quote it: "1.30"');
  });

  it('reports a value of the wrong type in words', () => {
    const error = loadError(
      replaceOnce(small(), 'when: { kubernetes: "1.34" }', 'when: { kubernetes: 1.34 }'),
    );
    expect(error.message).toMatch(
      /\(at scenarios\.upgrade\.when\.kubernetes\): expected a string or a list, found number 1\.34/,
    );
  });
});
