import { runTool, toolFailure } from './exec-tool.ts';
import type { Finding, Severity } from './finding.ts';
import { chunk, type LintRunner, relativeToRoot, SETUP_HINT } from './runner.ts';

// pycodestyle (pep8) over Python files: modules, filter and other plugins, scripts.
export const pycodestyleRunner: LintRunner = {
  id: 'pycodestyle',
  skipReason: (target) => (target.pythonFiles.length > 0 ? undefined : 'no Python files found'),
  requirements: () => [{ name: 'pycodestyle', lookup: 'path', hint: SETUP_HINT }],
  async run({ target, configs, env, executables, schedule }) {
    const config = configs.pycodestyle === undefined ? [] : [`--config=${configs.pycodestyle}`];
    const batches = chunk(target.pythonFiles).map((files) =>
      schedule(async () => {
        const run = await runTool(executables.get('pycodestyle') as string, [...config, '--', ...files], {
          cwd: target.root,
          env,
        });
        // 0: clean, 1: findings; anything else (a traceback, a signal) broke.
        if (run.exitCode !== 0 && run.exitCode !== 1) throw toolFailure('pycodestyle', run);
        const findings = parsePycodestyle(run.stdout, target.root);
        if (run.exitCode === 1 && findings.length === 0) {
          throw toolFailure('pycodestyle', run, 'it failed without reporting a problem');
        }
        return findings;
      }),
    );
    return { findings: (await Promise.all(batches)).flat(), checked: target.pythonFiles };
  },
};

const DEFAULT_LINE = /^(.+?):(\d+):(\d+): ([EWC]\d+) (.*)$/;

// Reads pycodestyle's default format: `file:line:column: CODE message`.
export function parsePycodestyle(stdout: string, root: string): Finding[] {
  const findings: Finding[] = [];
  for (const line of stdout.split('\n')) {
    const match = DEFAULT_LINE.exec(line.trimEnd());
    if (!match) continue;
    const [, file, row, column, code, message] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    findings.push({
      tool: 'pycodestyle',
      file: relativeToRoot(root, file),
      line: Number(row),
      column: Number(column),
      rule: code,
      severity: severityOf(code),
      message,
    });
  }
  return findings;
}

// E9xx are syntax and I/O errors (the file does not even compile); E is style, W is a warning.
function severityOf(code: string): Severity {
  if (code.startsWith('E9')) return 'critical';
  return code.startsWith('W') ? 'minor' : 'major';
}
