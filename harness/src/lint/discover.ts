import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { type AnsibleProject, findAnsibleProjectDirs, groupAnsibleProjects } from './ansible-projects.ts';
import { listRepositoryFiles } from './list-files.ts';

// What the lint stage found in a repository it may never have seen before.
export interface LintTarget {
  root: string;
  isGit: boolean;
  files: string[];
  yamlFiles: string[];
  // Entry playbooks: YAML at the top of the root, of a `playbooks` folder or of a folder with an
  // ansible.cfg, whose top level is a list of plays (`hosts:`) or playbook imports.
  playbooks: string[];
  // Role folders: those holding tasks/main.yml.
  roles: string[];
  // The folders Ansible runs from, each with its playbooks and roles.
  ansibleProjects: AnsibleProject[];
  shellScripts: string[];
  pythonFiles: string[];
  typescriptFiles: string[];
  hasTsconfig: boolean;
}

const SHELL_SHEBANG = /^#!\s*\S*?\/?(?:env\s+(?:-S\s+)?)?(?:sh|bash|dash|ksh)(?:\s|$)/;
const PYTHON_SHEBANG = /^#!\s*\S*?\/?(?:env\s+(?:-S\s+)?)?python[0-9.]*(?:\s|$)/;
const MAX_PLAYBOOK_BYTES = 1024 * 1024;

// Walks the repository once and sorts its files by what can check them.
export async function discoverTarget(root: string): Promise<LintTarget> {
  const { isGit, files } = await listRepositoryFiles(root);
  const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f));
  const shellScripts: string[] = [];
  const pythonFiles: string[] = [];
  for (const file of files) {
    if (/\.(sh|bash)$/.test(file)) shellScripts.push(file);
    else if (file.endsWith('.py')) pythonFiles.push(file);
    else if (!path.posix.basename(file).includes('.')) {
      const shebang = await readShebang(path.join(root, file));
      if (SHELL_SHEBANG.test(shebang)) shellScripts.push(file);
      else if (PYTHON_SHEBANG.test(shebang)) pythonFiles.push(file);
    }
  }
  const projectDirs = findAnsibleProjectDirs(files);
  const playbooks: string[] = [];
  for (const file of yamlFiles.filter((f) => isPlaybookCandidate(f, projectDirs))) {
    if (await looksLikePlaybook(path.join(root, file))) playbooks.push(file);
  }
  const roles = [
    ...new Set(
      files
        .filter((f) => /(^|\/)tasks\/main\.ya?ml$/.test(f))
        .map((f) => path.posix.dirname(path.posix.dirname(f))),
    ),
  ].sort();
  return {
    root,
    isGit,
    files,
    yamlFiles,
    playbooks,
    roles,
    ansibleProjects: groupAnsibleProjects(files, playbooks, roles),
    shellScripts,
    pythonFiles,
    typescriptFiles: files.filter((f) => /\.[cm]?tsx?$/.test(f) && !f.endsWith('.d.ts')),
    hasTsconfig: await stat(path.join(root, 'tsconfig.json')).then(
      (s) => s.isFile(),
      () => false,
    ),
  };
}

export function hasAnsible(target: LintTarget): boolean {
  return target.playbooks.length > 0 || target.roles.length > 0;
}

// Entry playbooks sit at the top of the root, of a `playbooks` folder or of a folder Ansible runs
// from (one with an ansible.cfg or an ansible-lint configuration).
function isPlaybookCandidate(file: string, projectDirs: Set<string>): boolean {
  const dir = path.posix.dirname(file);
  return dir === '.' || path.posix.basename(dir) === 'playbooks' || projectDirs.has(dir);
}

// A playbook is a YAML list whose every item is a play (`hosts`) or an import of a playbook.
export function isPlaybookDocument(data: unknown): boolean {
  if (!Array.isArray(data) || data.length === 0) return false;
  return data.every(
    (item) =>
      item !== null &&
      typeof item === 'object' &&
      !Array.isArray(item) &&
      ('hosts' in item || 'import_playbook' in item || 'ansible.builtin.import_playbook' in item),
  );
}

async function looksLikePlaybook(file: string): Promise<boolean> {
  try {
    if ((await stat(file)).size > MAX_PLAYBOOK_BYTES) return false;
    return isPlaybookDocument(parse(await readFile(file, 'utf8'), { uniqueKeys: false, logLevel: 'silent' }));
  } catch {
    // Not YAML that parses: yamllint reports it; it is not an entry playbook we can check.
    return false;
  }
}

async function readShebang(file: string): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const buffer = Buffer.alloc(128);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('latin1').split('\n')[0] ?? '';
  } finally {
    await handle.close();
  }
}
