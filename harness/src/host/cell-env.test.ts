import { describe, expect, it } from 'vitest';
import { cellEnv } from './cell-env.ts';

describe('the environment of a cell', () => {
  const ci = {
    PATH: '/usr/bin:/bin',
    HOME: '/root',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    CI_JOB_TOKEN: 'glcbt-secret-1',
    KVMATRIX_GITLAB_TOKEN: 'glpat-secret-2',
    CI_REGISTRY_PASSWORD: 'secret-3',
    AWS_SECRET_ACCESS_KEY: 'secret-4',
    ANSIBLE_VAULT_PASSWORD_FILE: '/run/secrets/vault',
    ANSIBLE_ROLES_PATH: '/roles',
    SOME_PROJECT_VARIABLE: 'x',
  };

  it('keeps what ansible needs and leaves the CI tokens and other variables out', () => {
    const env = cellEnv({ KVMATRIX_EVENTS_FILE: '/tmp/e' }, ci);
    expect(Object.keys(env).sort()).toEqual([
      'ANSIBLE_ROLES_PATH',
      'HOME',
      'KVMATRIX_EVENTS_FILE',
      'LANG',
      'LC_ALL',
      'PATH',
    ]);
    expect(env.PATH).toMatch(/\.venv\/bin:\/usr\/bin:\/bin$/);
    expect(JSON.stringify(env)).not.toMatch(/secret/);
  });

  it('reaches ansible-playbook as its whole environment', async () => {
    const { execa } = await import('execa');
    const r = await execa('env', [], { env: cellEnv({ EXPLICIT: '1' }, ci), extendEnv: false });
    expect(r.stdout).not.toContain('CI_JOB_TOKEN');
    expect(r.stdout).toContain('EXPLICIT=1');
  });
});
