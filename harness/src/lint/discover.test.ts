import { describe, expect, it } from 'vitest';
import { ansibleLintables } from './ansible-lint.ts';
import { shellcheckOptionsFromRc } from './configs.ts';
import { isPlaybookDocument, type LintTarget } from './discover.ts';
import { isSkippedPath } from './list-files.ts';

function target(playbooks: string[], roles: string[]): LintTarget {
  return {
    root: '/repo',
    isGit: true,
    files: [],
    yamlFiles: [],
    playbooks,
    roles,
    shellScripts: [],
    pythonFiles: [],
    typescriptFiles: [],
    hasTsconfig: false,
  };
}

describe('discovering what to lint in an unknown repository', () => {
  it('takes a list of plays or playbook imports as a playbook, and nothing else', () => {
    expect(isPlaybookDocument([{ name: 'x', hosts: 'all', tasks: [] }])).toBe(true);
    expect(
      isPlaybookDocument([{ import_playbook: 'a.yml' }, { 'ansible.builtin.import_playbook': 'b.yml' }]),
    ).toBe(true);
    expect(isPlaybookDocument([{ name: 'a task', 'ansible.builtin.debug': { msg: 'x' } }])).toBe(false);
    expect(isPlaybookDocument({ hosts: 'all' })).toBe(false);
    expect(isPlaybookDocument([])).toBe(false);
    expect(isPlaybookDocument([{ hosts: 'all' }, 'stray'])).toBe(false);
  });

  it('skips dependencies, virtualenvs, VCS data and test fixtures, but not look-alike names', () => {
    expect(isSkippedPath('node_modules/x/a.sh')).toBe(true);
    expect(isSkippedPath('sub/.venv/bin/activate')).toBe(true);
    expect(isSkippedPath('harness/src/lint/test/fixtures/a/site.yml')).toBe(true);
    expect(isSkippedPath('tests/fixtures/a.yml')).toBe(true);
    expect(isSkippedPath('fixtures/a.yml')).toBe(false);
    expect(isSkippedPath('playbooks/node_modules.yml')).toBe(false);
  });

  it('gives ansible-lint the top folders of the Ansible content, or the whole repository', () => {
    expect(ansibleLintables(target(['playbooks/site.yml'], ['playbooks/roles/etcd']))).toEqual(['playbooks']);
    expect(ansibleLintables(target(['playbooks/site.yml'], ['roles/etcd']))).toEqual(['playbooks', 'roles']);
    expect(ansibleLintables(target(['cluster.yml'], ['roles/etcd']))).toEqual([]);
    expect(ansibleLintables(target([], ['.']))).toEqual([]);
  });

  it('turns a shellcheckrc into the options Debian’s shellcheck 0.9 understands', () => {
    const rc =
      '# comment\ndisable=SC1091 # why\nenable=deprecate-which\nexternal-sources=true\nsource-path=SCRIPTDIR\n';
    expect(shellcheckOptionsFromRc(rc)).toEqual([
      '--norc',
      '--exclude=SC1091',
      '--enable=deprecate-which',
      '--external-sources',
      '--source-path=SCRIPTDIR',
    ]);
  });
});
