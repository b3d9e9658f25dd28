import type { Command } from 'commander';
import { createRedactor } from '../../host/redact.ts';
import { type ReportOptions, runReport } from '../../report/io/run-report.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

// Progress for people and CI logs: plain timestamped lines on stderr, the token masked.
function createLog(env: NodeJS.ProcessEnv): (line: string) => void {
  const redact = createRedactor([env.KVMATRIX_GITLAB_TOKEN]);
  return (line) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${redact(line)}\n`);
}

// `kvmatrix report`: every cell of a pipeline in one place (JUnit, Markdown, HTML, JSON, the
// merge-request comment and commit statuses).
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description(
      'merge the result records of a pipeline into JUnit, Markdown, HTML and JSON reports; ' +
        'planned cells without a record count as missing; --post writes the sticky merge-request comment and commit statuses',
    )
    .option(
      '-r, --results <dir|glob>',
      'result records: a directory searched for result.json, or a glob (repeatable)',
      collect,
      [],
    )
    .option(
      '--plan <file>',
      'the planned cells: `kvmatrix matrix list --json` output, or the plan.json `kvmatrix generate` writes',
    )
    .option('--tier <tier>', 'the planned cells are those of this tier of the matrix')
    .option('-m, --matrix <file>', 'matrix file for --tier and generate plans (default: matrix/matrix.yaml)')
    .option('--junit <file>', 'write the merged JUnit XML here')
    .option('--markdown <file>', 'write the Markdown report (the merge-request comment) here')
    .option('--html <file>', 'write the self-contained HTML matrix report here')
    .option('--json <file>', 'write the merged report as JSON here')
    .option('--history <file>', 'flake history to read, update and write back (JSON; keep it in a CI cache)')
    .option(
      '--post',
      'post to GitLab: the sticky MR comment and a commit status per cell (needs KVMATRIX_GITLAB_TOKEN)',
    )
    .option('--no-statuses', 'with --post, skip the commit statuses')
    .option(
      '--collect [pipeline]',
      'first fetch the records of the child pipelines of this pipeline (default CI_PIPELINE_ID) into --results',
    )
    .option(
      '--artifact-path <path>',
      "where result.json sits in a cell job's artifacts (for --collect)",
      'artifacts/result.json',
    )
    .option('--report-url <url>', "where the HTML report can be opened (default: this job's artifact URL)")
    .option(
      '--columns <axes>',
      'axes across the top of the HTML grid, comma-separated (default: kubernetes,layout)',
    )
    .option('--strict', 'exit 1 when a cell failed, is missing, failed on infrastructure or was interrupted')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  kvmatrix report -r artifacts/ --tier pr --html report.html --markdown report.md\n' +
        '  kvmatrix report --collect -r results/ --plan pipelines/plan.json --history .kvmatrix/flake-history.json --post\n',
    )
    .action(async (flags: ReportOptions) => {
      if (flags.results.length === 0) flags.results = flags.collect ? ['kvmatrix-results'] : ['artifacts'];
      process.exitCode = await runReport(flags, {
        env: process.env,
        cwd: process.cwd(),
        now: () => new Date(),
        log: createLog(process.env),
      });
    });
}
