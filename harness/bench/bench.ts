// The benchmark runner: `npm run bench [-- area...]`. Each area has a module beside this file
// exporting `runBench(print)`; add one line per area to `areas`. Figures are printed, not
// asserted: performance targets are read from this output, not from timed tests.
export type BenchPrint = (line: string) => void;

const areas: Record<
  string,
  () => Promise<{ runBench: (print: BenchPrint, args: string[]) => Promise<void> }>
> = {
  providers: () => import('./providers.ts'),
};

const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith('--'));
const selected = wanted.length > 0 ? wanted : Object.keys(areas);
let failed = 0;
for (const name of selected) {
  const load = areas[name];
  if (!load) {
    process.stderr.write(`bench: unknown area "${name}" (known: ${Object.keys(areas).join(', ')})\n`);
    process.exitCode = 2;
    continue;
  }
  const print: BenchPrint = (line) => process.stdout.write(`[${name}] ${line}\n`);
  try {
    await (await load()).runBench(print, args);
  } catch (error) {
    failed += 1;
    print(`failed: ${(error as Error).message}`);
  }
}
if (failed > 0) process.exitCode = 1;
