import { runTool, toolFailure } from './exec-tool.ts';
import type { Finding } from './finding.ts';
import { chunk, type LintRunner, relativeToRoot, SETUP_HINT } from './runner.ts';

// yamllint, strict (warnings fail too), over every YAML file the repository owns.
export const yamllintRunner: LintRunner = {
  id: 'yamllint',
  skipReason: (target) => (target.yamlFiles.length > 0 ? undefined : 'no YAML files found'),
  requirements: () => [{ name: 'yamllint', lookup: 'path', hint: SETUP_HINT }],
  async run({ target, configs, env, executables, schedule }) {
    const batches = chunk(target.yamlFiles, 300).map((files) =>
      schedule(async () => {
        const run = await runTool(
          executables.get('yamllint') as string,
          ['-f', 'parsable', '--strict', '-c', configs.yamllint, '--', ...files],
          { cwd: target.root, env: { ...env, NO_COLOR: '1' } },
        );
        // 0: clean, 1: errors, 2: only warnings (with --strict); anything else broke.
        if (run.exitCode !== 0 && run.exitCode !== 1 && run.exitCode !== 2)
          throw toolFailure('yamllint', run);
        const findings = parseYamllintParsable(run.stdout, target.root);
        if (run.exitCode !== 0 && findings.length === 0) {
          throw toolFailure('yamllint', run, 'it failed without reporting a problem');
        }
        return findings;
      }),
    );
    return { findings: (await Promise.all(batches)).flat(), checked: target.yamlFiles };
  },
};

const PARSABLE_LINE = /^(.+?):(\d+):(\d+): \[(error|warning)\] (.*?)(?: \(([\w-]+)\))?$/;

// Reads `yamllint -f parsable`: `file:line:column: [level] message (rule)`.
export function parseYamllintParsable(stdout: string, root: string): Finding[] {
  const findings: Finding[] = [];
  for (const line of stdout.split('\n')) {
    const match = PARSABLE_LINE.exec(line.trimEnd());
    if (!match) continue;
    const [, file, row, column, level, message, rule] = match as unknown as string[];
    findings.push({
      tool: 'yamllint',
      file: relativeToRoot(root, file as string),
      line: Number(row),
      column: Number(column),
      rule: rule ?? 'syntax',
      severity: level === 'error' ? 'major' : 'minor',
      message: message as string,
    });
  }
  return findings;
}
