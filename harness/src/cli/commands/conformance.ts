import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { listConformanceSet, renderConformanceListing } from '../../checks/conformance-list.ts';

interface ListFlags {
  kubernetes: string;
  json?: boolean;
  out?: string;
}

// `kvmatrix conformance list`: which [Conformance] specs the conformance check runs offline and
// which it leaves out, and why; from the artifact set's own e2e.test, without a cluster.
export function registerConformanceCommand(program: Command): void {
  const conformance = program
    .command('conformance')
    .description("the conformance set of a Kubernetes version's artifact set");
  conformance
    .command('list')
    .description(
      'list every [Conformance] spec: the ones the conformance check runs and the ones it leaves out, with why (a ginkgo dry run of e2e.test; no cluster needed)',
    )
    .requiredOption('-k, --kubernetes <version>', 'Kubernetes version of the artifact set (e.g. 1.34)')
    .option('--json', 'print JSON instead of Markdown')
    .option('-o, --out <file>', 'write to this file instead of standard output')
    .action(async (flags: ListFlags) => {
      const listing = await listConformanceSet(flags.kubernetes);
      const text = flags.json ? `${JSON.stringify(listing, null, 2)}\n` : renderConformanceListing(listing);
      if (flags.out) await writeFile(flags.out, text);
      else process.stdout.write(text);
      process.stderr.write(
        `kvmatrix: Kubernetes ${listing.kubernetes}: ${listing.total} conformance specs, ${listing.runs.length} run, ${listing.skipped.length} left out\n`,
      );
    });
}
