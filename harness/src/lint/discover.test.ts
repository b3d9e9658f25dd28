import { describe, expect, it } from 'vitest';
import { ansibleLintables } from './ansible-lint.ts';
import { type AnsibleProject, groupAnsibleProjects } from './ansible-projects.ts';
import { shellcheckOptionsFromRc } from './configs.ts';
import { isPlaybookDocument } from './discover.ts';
import { isSkippedPath } from './list-files.ts';

function rootProject(playbooks: string[], roles: string[]): AnsibleProject {
  return { dir: '.', playbooks, roles, hasAnsibleCfg: false, ansibleLintConfig: undefined };
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
    expect(ansibleLintables(rootProject(['playbooks/site.yml'], ['playbooks/roles/etcd']))).toEqual([
      'playbooks',
    ]);
    expect(ansibleLintables(rootProject(['playbooks/site.yml'], ['roles/etcd']))).toEqual([
      'playbooks',
      'roles',
    ]);
    expect(ansibleLintables(rootProject(['cluster.yml'], ['roles/etcd']))).toEqual([]);
    expect(ansibleLintables(rootProject([], ['.']))).toEqual([]);
  });

  it('runs the Ansible below a folder with its own ansible.cfg or .ansible-lint as a project of its own', () => {
    const files = [
      'ansible/ansible.cfg',
      'ansible/site.yml',
      'ansible/roles/web/tasks/main.yml',
      'deploy.yml',
    ];
    const projects = groupAnsibleProjects(files, ['ansible/site.yml', 'deploy.yml'], ['ansible/roles/web']);
    expect(projects).toEqual([
      { dir: '.', playbooks: ['deploy.yml'], roles: [], hasAnsibleCfg: false, ansibleLintConfig: undefined },
      {
        dir: 'ansible',
        playbooks: ['ansible/site.yml'],
        roles: ['ansible/roles/web'],
        hasAnsibleCfg: true,
        ansibleLintConfig: undefined,
      },
    ]);
    const linted = groupAnsibleProjects(['ops/.config/ansible-lint.yml', 'ops/a.yml'], ['ops/a.yml'], []);
    expect(linted[0]).toMatchObject({ dir: 'ops', ansibleLintConfig: 'ops/.config/ansible-lint.yml' });
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
