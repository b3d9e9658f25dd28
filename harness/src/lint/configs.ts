import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../host/paths.ts';
import { ANSIBLE_LINT_FILES } from './ansible-projects.ts';

// Where our own configurations live; used when the linted repository brings none of its own.
export const ourLintDir: string = path.join(repoRoot, 'lint');

export interface LintConfigs {
  // Used for an Ansible project without an ansible-lint configuration of its own.
  ansibleLint: string;
  yamllint: string;
  // Undefined when the repository configures pycodestyle itself (pycodestyle then finds it).
  pycodestyle: string | undefined;
  // Command-line options for shellcheck; empty when the repository has its own .shellcheckrc.
  shellcheckArgs: string[];
  // The repository's own configuration files in force, relative to its root, for the summary.
  own: string[];
}

const YAMLLINT_FILES = ['.yamllint', '.yamllint.yml', '.yamllint.yaml'];
const PYCODESTYLE_FILES = ['setup.cfg', 'tox.ini', '.pycodestyle'];

// Picks, per tool, the repository's own configuration when it has one, else ours from lint/.
export function resolveConfigs(root: string, lintDir: string = ourLintDir): LintConfigs {
  const own: string[] = [];
  const pick = (candidates: string[]): string | undefined => {
    const found = candidates.find((name) => existsSync(path.join(root, name)));
    if (found) own.push(found);
    return found === undefined ? undefined : path.join(root, found);
  };
  const ansibleLint = pick(ANSIBLE_LINT_FILES) ?? path.join(lintDir, 'ansible-lint.yml');
  const yamllint = pick(YAMLLINT_FILES) ?? path.join(lintDir, 'yamllint.yml');
  const pycodestyleOwn = PYCODESTYLE_FILES.find((name) => {
    const file = path.join(root, name);
    return existsSync(file) && /^\[(pycodestyle|pep8)\]/m.test(readFileSync(file, 'utf8'));
  });
  if (pycodestyleOwn) own.push(pycodestyleOwn);
  const shellcheckOwn = pick(['.shellcheckrc']);
  return {
    ansibleLint,
    yamllint,
    pycodestyle: pycodestyleOwn ? undefined : path.join(lintDir, 'pycodestyle.cfg'),
    shellcheckArgs: shellcheckOwn
      ? []
      : shellcheckOptionsFromRc(readFileSync(path.join(lintDir, 'shellcheckrc'), 'utf8')),
    own,
  };
}

// Turns a shellcheckrc into command-line options: Debian's shellcheck 0.9 has no --rcfile, and
// --norc keeps a stray ~/.shellcheckrc from changing the verdict.
export function shellcheckOptionsFromRc(text: string): string[] {
  const args = ['--norc'];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const match = /^([a-z-]+)\s*=\s*(.+)$/.exec(line);
    if (!match) continue;
    const [, key, value] = match as unknown as [string, string, string];
    if (key === 'disable') args.push(`--exclude=${value}`);
    else if (key === 'enable') args.push(`--enable=${value}`);
    else if (key === 'external-sources' && value === 'true') args.push('--external-sources');
    else if (key === 'source-path') args.push(`--source-path=${value}`);
    else if (key === 'shell') args.push(`--shell=${value}`);
    else if (key === 'severity') args.push(`--severity=${value}`);
  }
  return args;
}
