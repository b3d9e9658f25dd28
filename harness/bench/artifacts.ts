// Figures for the offline artifact set and the test control plane: cached build time (the cold
// build is measured by `kvmatrix artifacts build` itself and recorded per component in
// manifest.json as `seconds`) and control plane start to ready. The bench runner calls
// benchArtifacts(); `node harness/bench/artifacts.ts` runs it alone.
import { buildArtifacts } from '../src/artifacts/build-artifacts.ts';
import { currentMinor } from '../src/artifacts/versions.ts';
import { silentProgress } from '../src/host/progress.ts';
import { startControlPlane } from '../src/testbed/control-plane.ts';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
}

export async function benchArtifacts(runs = 3): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  let started = performance.now();
  const set = await buildArtifacts({ kubernetes: currentMinor, progress: silentProgress });
  figures.push({
    name: `artifacts build ${currentMinor} (cached)`,
    value: performance.now() - started,
    unit: 'ms',
  });
  for (const [name, component] of Object.entries(set.manifest.components)) {
    figures.push({ name: `artifacts cold build of ${name} (recorded)`, value: component.seconds, unit: 's' });
  }
  const starts: number[] = [];
  for (let i = 0; i < runs; i++) {
    started = performance.now();
    const plane = await startControlPlane({ progress: silentProgress });
    starts.push(performance.now() - started);
    await plane.stop();
  }
  starts.sort((a, b) => a - b);
  figures.push({
    name: 'control plane start to ready (median)',
    value: starts[Math.floor(starts.length / 2)] ?? 0,
    unit: 'ms',
  });
  return figures;
}

if (import.meta.main) {
  for (const figure of await benchArtifacts()) {
    process.stdout.write(`${figure.name}: ${Math.round(figure.value)} ${figure.unit}\n`);
  }
}
