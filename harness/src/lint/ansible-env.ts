import path from 'node:path';
import type { AnsibleProject } from './ansible-projects.ts';

// The environment for ansible-lint and ansible-playbook in one Ansible project: no colour, no
// retry files, and, unless the project's ansible.cfg says where its roles are, the folders
// holding the roles we found.
export function ansibleEnv(
  root: string,
  project: AnsibleProject,
  base: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    NO_COLOR: '1',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_FORCE_COLOR: '0',
    PY_COLORS: '0',
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
    ANSIBLE_DEPRECATION_WARNINGS: 'false',
  };
  if (!project.hasAnsibleCfg && base.ANSIBLE_ROLES_PATH === undefined) {
    const roleParents = [...new Set(project.roles.map((role) => path.posix.dirname(role)))];
    if (roleParents.length > 0) {
      env.ANSIBLE_ROLES_PATH = roleParents.map((dir) => path.join(root, dir)).join(path.delimiter);
    }
  }
  return env;
}
