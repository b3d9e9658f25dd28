// `npm run bench [-- <area>...]`: runs each area's benchmark in sequence and prints its figures.
// Areas add a module beside this file exporting `bench<Area>(print)` and one line below.
import { benchCovering } from './covering.ts';
import { benchHardening } from './hardening.ts';
import { benchKubevirt } from './kubevirt.ts';
import { benchKubevirtLab } from './kubevirt-lab.ts';
import { benchLint } from './lint.ts';
import { benchMatrix } from './matrix.ts';
import { benchOperator } from './operator.ts';
import { benchProviders } from './providers.ts';
import { benchReport } from './report.ts';
import { benchRun } from './run.ts';

export type Print = (line: string) => void;

// biome-ignore format: one line per area keeps parallel additions from conflicting
const areas: Array<{ name: string; run: (print: Print) => Promise<void> | void }> = [
  { name: 'matrix', run: benchMatrix },
  { name: 'covering', run: benchCovering },
  { name: 'operator', run: benchOperator },
  { name: 'providers', run: benchProviders },
  { name: 'lint', run: benchLint },
  { name: 'report', run: benchReport },
  { name: 'kubevirt', run: benchKubevirt },
  { name: 'kubevirt-lab', run: benchKubevirtLab },
  { name: 'run', run: benchRun },
  { name: 'hardening', run: benchHardening },
];

// Arguments starting with '-' are options for the areas (e.g. --clusters=50), not area names.
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
let failed = false;
for (const area of areas) {
  if (wanted.length && !wanted.includes(area.name)) continue;
  console.log(`== ${area.name}`);
  try {
    await area.run((line) => console.log(`  ${line}`));
  } catch (error) {
    failed = true;
    console.log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exitCode = failed ? 1 : 0;
