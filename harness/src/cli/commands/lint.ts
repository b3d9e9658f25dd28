import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { KvError, UsageError } from '../../contracts/errors.ts';
import { isLintToolId, LINT_TOOL_IDS, type LintToolId } from '../../lint/finding.ts';
import { renderCodeQuality } from '../../lint/report-codequality.ts';
import { renderJunit } from '../../lint/report-junit.ts';
import { formatSummary } from '../../lint/report-summary.ts';
import { exitStatusOf, runLint } from '../../lint/run-lint.ts';

interface LintCommandOptions {
  path: string;
  only?: string;
  junit?: string;
  codequality?: string;
}

// `kvmatrix lint`: the syntax gate of every pipeline, before any machine starts.
export function registerLintCommand(program: Command): void {
  program
    .command('lint')
    .description(
      'Lint a repository of Ansible deployment code: ansible-lint, yamllint, shellcheck, ' +
        'ansible-playbook --syntax-check, pycodestyle and the TypeScript checks.\n' +
        'Exit 0 clean, 1 findings, 2 a tool could not run or the path is wrong.',
    )
    .option('--path <dir>', 'the repository to lint', '.')
    .option('--only <tools>', `comma-separated subset of: ${LINT_TOOL_IDS.join(', ')}`)
    .option('--junit <file>', 'write a JUnit XML report (a test case per tool and file)')
    .option('--codequality <file>', 'write a GitLab Code Quality JSON report')
    .action(async (options: LintCommandOptions) => {
      await runLintCommand(options);
    });
}

export async function runLintCommand(options: LintCommandOptions): Promise<void> {
  const only = options.only === undefined ? undefined : parseOnly(options.only);
  const report = await runLint({
    path: options.path,
    ...(only ? { only } : {}),
    onProgress: (message) =>
      process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] lint: ${message}\n`),
  });
  process.stdout.write(formatSummary(report));
  if (options.junit) await writeReport(options.junit, renderJunit(report));
  if (options.codequality) {
    await writeReport(options.codequality, `${JSON.stringify(renderCodeQuality(report), null, 2)}\n`);
  }
  const status = exitStatusOf(report);
  if (status === 2) {
    const failed = report.outcomes.filter((o) => o.status === 'failed').map((o) => o.tool);
    throw new KvError(
      'TOOL_FAILED',
      `lint could not decide: ${failed.join(', ')} could not run (see above)`,
      {
        hint: 'a tool crashed or broke: run `npm run setup` to reinstall the pinned tools, then run the command shown',
      },
    );
  }
  if (status === 1) {
    const counts = report.outcomes
      .filter((o) => o.findings.length > 0)
      .map((o) => `${o.tool} ${o.findings.length}`)
      .join(', ');
    throw new KvError('PRODUCT_FAILURE', `lint found problems (${counts})`, {
      hint: 'fix them; a rule that does not fit is skipped in lint/ with a dated reason (lint/README.md)',
    });
  }
}

function parseOnly(value: string): LintToolId[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !isLintToolId(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(`--only: unknown tool ${unknown.join(', ') || '(none given)'}`, {
      hint: `choose from: ${LINT_TOOL_IDS.join(', ')}`,
    });
  }
  return names as LintToolId[];
}

async function writeReport(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, content);
}
