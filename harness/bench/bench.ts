// `npm run bench [-- area...]`: runs each area's benchmark module and prints its figures. Areas add
// one entry here and a module harness/bench/<area>.ts.
import { benchOperator } from './operator.ts';

const areas: Record<string, (args: string[]) => Promise<void>> = {
  operator: benchOperator,
};

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const selected = requested.length > 0 ? requested : Object.keys(areas);
let failed = false;
for (const name of selected) {
  const run = areas[name];
  if (!run) {
    process.stderr.write(`bench: unknown area ${name} (known: ${Object.keys(areas).join(', ')})\n`);
    process.exitCode = 2;
    continue;
  }
  process.stdout.write(`== bench ${name}\n`);
  try {
    await run(flags);
  } catch (error) {
    failed = true;
    process.stderr.write(`bench ${name}: ${(error as Error).message}\n`);
  }
}
if (failed) process.exitCode = 1;
