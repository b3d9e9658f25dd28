import path from 'node:path';

// ansible-lint's own configuration file names, in the order ansible-lint itself prefers them.
export const ANSIBLE_LINT_FILES = [
  '.ansible-lint',
  '.ansible-lint.yml',
  '.ansible-lint.yaml',
  '.config/ansible-lint.yml',
  '.config/ansible-lint.yaml',
];

// A folder that Ansible is run from: the root, or a folder below it holding an ansible.cfg or an
// ansible-lint configuration (`playbooks/` in this repository). Its ansible.cfg (role and plugin
// paths) only takes effect when the tools run from there, so they do.
export interface AnsibleProject {
  // Relative to the root; '.' for the root itself.
  dir: string;
  playbooks: string[];
  roles: string[];
  hasAnsibleCfg: boolean;
  // The project's own ansible-lint configuration (relative to the root), if it has one.
  ansibleLintConfig: string | undefined;
}

// The folders holding an ansible.cfg or an ansible-lint configuration ('.' for the root).
export function findAnsibleProjectDirs(files: string[]): Set<string> {
  const dirs = new Set<string>();
  for (const file of files) {
    const config = ANSIBLE_LINT_FILES.find((name) => file === name || file.endsWith(`/${name}`));
    if (config) dirs.add(stripSuffix(file, config));
    else if (path.posix.basename(file) === 'ansible.cfg') dirs.add(path.posix.dirname(file));
  }
  return dirs;
}

// Assigns every playbook and role to the deepest project folder above it.
export function groupAnsibleProjects(
  files: string[],
  playbooks: string[],
  roles: string[],
): AnsibleProject[] {
  const fileSet = new Set(files);
  const markerDirs = findAnsibleProjectDirs(files);
  const projectOf = (item: string): string => {
    let best = '.';
    for (const dir of markerDirs) {
      if (dir !== '.' && item.startsWith(`${dir}/`) && dir.length > best.length) best = dir;
    }
    return best;
  };
  const projects = new Map<string, AnsibleProject>();
  const projectFor = (dir: string): AnsibleProject => {
    let project = projects.get(dir);
    if (!project) {
      const prefix = dir === '.' ? '' : `${dir}/`;
      const config = ANSIBLE_LINT_FILES.find((name) => fileSet.has(`${prefix}${name}`));
      project = {
        dir,
        playbooks: [],
        roles: [],
        hasAnsibleCfg: fileSet.has(`${prefix}ansible.cfg`),
        ansibleLintConfig: config === undefined ? undefined : `${prefix}${config}`,
      };
      projects.set(dir, project);
    }
    return project;
  };
  for (const playbook of playbooks) projectFor(projectOf(playbook)).playbooks.push(playbook);
  for (const role of roles) projectFor(projectOf(role)).roles.push(role);
  return [...projects.values()].sort((a, b) => a.dir.localeCompare(b.dir));
}

// A path relative to the project folder, for tools that run from there.
export function relativeToProject(project: AnsibleProject, file: string): string {
  return project.dir === '.' ? file : path.posix.relative(project.dir, file) || '.';
}

function stripSuffix(file: string, name: string): string {
  const dir = file.slice(0, file.length - name.length).replace(/\/$/, '');
  return dir === '' ? '.' : dir;
}
