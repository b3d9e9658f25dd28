import path from 'node:path';
import { parse } from 'yaml';
import { evaluateWhen } from './when-expression.ts';

// The deployment code as text, keyed by repository path (`playbooks/roles/x/tasks/main.yml`).
export type DeploymentCode = ReadonlyMap<string, string>;

// What one cell's run of one entry playbook can reach: every file with the chain that led
// there, and the places the walk could not follow (a templated name it cannot resolve, a file
// it cannot parse), which make every other file possibly reached too.
export interface Reach {
  files: Map<string, string>;
  unresolved: string[];
}

// The facts of a cell that decide what the playbooks run: the Ansible variables of its axis
// values and the inventory groups its layout fills.
export interface RunContext {
  vars: Readonly<Record<string, unknown>>;
  groups: ReadonlySet<string>;
}

type Node = Record<string, unknown>;

const PLAYBOOKS = 'playbooks';
const TASK_LISTS = ['tasks', 'pre_tasks', 'post_tasks', 'handlers'];
const BLOCK_LISTS = ['block', 'rescue', 'always'];
const ROLE_PARTS = ['defaults', 'vars', 'handlers', 'meta', 'templates', 'files'];

// Walks entry playbook -> imported plays -> roles (meta dependencies, included and imported
// roles) -> task files, honouring `hosts:` against the layout's groups and `when:` on axis
// variables (a condition it cannot decide counts as true). A role brings its defaults, vars,
// handlers, meta, templates and files; its task files only as far as the tasks include them.
// Pure: the code comes in as text; parses are cached in `cache`.
export interface PreparedCode {
  code: DeploymentCode;
  byDir: Map<string, string[]>;
  parsed: Map<string, unknown>;
}

export function prepareCode(code: DeploymentCode): PreparedCode {
  return { code, byDir: indexDirs(code), parsed: new Map() };
}

export function walkEntry(prepared: PreparedCode, entry: string, ctx: RunContext): Reach {
  const { code, byDir: filesByDir, parsed: cache } = prepared;
  const reach: Reach = { files: new Map(), unresolved: [] };
  const visited = new Set<string>();
  const load = (file: string): unknown => {
    if (!cache.has(file)) {
      let data: unknown;
      try {
        data = parse(code.get(file) ?? '');
      } catch {
        data = undefined;
      }
      cache.set(file, data);
    }
    return cache.get(file);
  };
  const see = (file: string, chain: string) => {
    if (!reach.files.has(file)) reach.files.set(file, chain);
  };
  const render = (value: unknown, chain: string): string | undefined => {
    if (typeof value !== 'string') return undefined;
    const out = value.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (all, name: string) =>
      typeof ctx.vars[name] === 'string' ? (ctx.vars[name] as string) : all,
    );
    if (out.includes('{{') || out.includes('{%')) {
      reach.unresolved.push(`${chain}: cannot resolve "${value}"`);
      return undefined;
    }
    return out;
  };

  const playbook = (file: string, chain: string, depth: number) => {
    if (depth > 20 || !code.has(file)) {
      if (!code.has(file)) reach.unresolved.push(`${chain}: ${file} does not exist`);
      return;
    }
    see(file, chain);
    const plays = load(file);
    if (!Array.isArray(plays)) {
      reach.unresolved.push(`${chain}: ${file} is not a list of plays`);
      return;
    }
    for (const play of plays as Node[]) {
      if (!play || typeof play !== 'object') continue;
      if (evaluateWhen(play.when, ctx.vars) === false) continue;
      const imported = play['ansible.builtin.import_playbook'] ?? play.import_playbook;
      if (imported !== undefined) {
        const name = render(imported, chain);
        if (name) {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), name));
          playbook(target, `${chain} > ${relative(target)}`, depth + 1);
        }
        continue;
      }
      if (!hostsReached(play.hosts, ctx.groups)) continue;
      const here = `${chain} > play "${String(play.name ?? play.hosts)}"`;
      for (const r of asList(play.roles)) {
        const spec = typeof r === 'string' ? { role: r } : (r as Node);
        if (evaluateWhen(spec?.when, ctx.vars) === false) continue;
        const name = render(spec?.role ?? spec?.name, here);
        if (name) role(file, name, 'main', `${here} > role ${name}`, depth + 1);
      }
      for (const key of TASK_LISTS) tasks(file, asList(play[key]), here, depth + 1);
    }
  };

  const role = (from: string, name: string, tasksFrom: string, chain: string, depth: number) => {
    if (depth > 40) return;
    const dir = roleDir(filesByDir, from, name);
    if (!dir) {
      reach.unresolved.push(`${chain}: no role "${name}"`);
      return;
    }
    if (visited.has(`${dir}\u0000${tasksFrom}`)) return;
    visited.add(`${dir}\u0000${tasksFrom}`);
    for (const part of ROLE_PARTS) {
      for (const file of filesByDir.get(`${dir}/${part}`) ?? []) see(file, chain);
    }
    for (const dependency of asList((load(`${dir}/meta/main.yml`) as Node | undefined)?.dependencies)) {
      const spec = typeof dependency === 'string' ? { role: dependency } : (dependency as Node);
      if (evaluateWhen(spec?.when, ctx.vars) === false) continue;
      const dep = render(spec?.role ?? spec?.name, chain);
      if (dep) role(`${dir}/meta/main.yml`, dep, 'main', `${chain} > meta dependency ${dep}`, depth + 1);
    }
    const taskFile = pickYaml(code, `${dir}/tasks/${tasksFrom}`);
    if (taskFile) taskFileWalk(taskFile, chain, depth + 1);
    else if (tasksFrom !== 'main') reach.unresolved.push(`${chain}: no tasks file ${tasksFrom} in ${dir}`);
    const handlers = pickYaml(code, `${dir}/handlers/main`);
    if (handlers) taskFileWalk(handlers, chain, depth + 1);
  };

  const taskFileWalk = (file: string, chain: string, depth: number) => {
    if (depth > 60) return;
    see(file, `${chain} > ${relative(file)}`);
    const list = load(file);
    if (list === undefined && (code.get(file) ?? '').trim() !== '') {
      reach.unresolved.push(`${chain}: cannot parse ${file}`);
      return;
    }
    tasks(file, asList(list), `${chain} > ${relative(file)}`, depth + 1);
  };

  const tasks = (file: string, list: unknown[], chain: string, depth: number) => {
    for (const task of list as Node[]) {
      if (!task || typeof task !== 'object') continue;
      if (evaluateWhen(task.when, ctx.vars) === false) continue;
      for (const key of BLOCK_LISTS) tasks(file, asList(task[key]), chain, depth + 1);
      const includeRole = (task['ansible.builtin.include_role'] ??
        task['ansible.builtin.import_role'] ??
        task.include_role ??
        task.import_role) as Node | undefined;
      if (includeRole) {
        const name = render(includeRole.name, chain);
        const from = includeRole.tasks_from === undefined ? 'main' : render(includeRole.tasks_from, chain);
        if (name && from)
          role(file, name, from.replace(/\.ya?ml$/, ''), `${chain} > role ${name}`, depth + 1);
      }
      const include =
        task['ansible.builtin.include_tasks'] ??
        task['ansible.builtin.import_tasks'] ??
        task.include_tasks ??
        task.import_tasks;
      if (include !== undefined) {
        const name = render(typeof include === 'object' ? (include as Node).file : include, chain);
        if (name) {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), name));
          if (code.has(target)) taskFileWalk(target, chain, depth + 1);
          else reach.unresolved.push(`${chain}: ${target} does not exist`);
        }
      }
    }
  };

  playbook(entry, relative(entry), 0);
  return reach;
}

function relative(file: string): string {
  return file.startsWith(`${PLAYBOOKS}/`) ? file.slice(PLAYBOOKS.length + 1) : file;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

// Every file under each folder (at any depth), for a role's parts.
function indexDirs(code: DeploymentCode): Map<string, string[]> {
  const byDir = new Map<string, string[]>();
  for (const file of code.keys()) {
    for (let dir = path.posix.dirname(file); dir !== '.' && dir !== '/'; dir = path.posix.dirname(dir)) {
      const list = byDir.get(dir);
      if (list) list.push(file);
      else byDir.set(dir, [file]);
    }
  }
  return byDir;
}

// Ansible's lookup: `roles/` beside the playbook, then the roles_path (playbooks/roles).
function roleDir(byDir: Map<string, string[]>, from: string, name: string): string | undefined {
  const candidates = [path.posix.join(path.posix.dirname(from), 'roles', name), `${PLAYBOOKS}/roles/${name}`];
  return candidates.find((dir) => byDir.has(dir));
}

function pickYaml(code: DeploymentCode, stem: string): string | undefined {
  return [`${stem}.yml`, `${stem}.yaml`, stem].find((f) => code.has(f));
}

// `hosts:` against the groups the layout fills: a term reaches when it is `all`, a filled group
// or a name that is no group of the inventory contract; `!` and `&` terms only narrow, so they
// are left out (the play may still reach).
const CONTRACT_GROUPS = new Set(['kube_control_plane', 'kube_node', 'etcd', 'k8s_cluster']);

export function hostsReached(hosts: unknown, groups: ReadonlySet<string>): boolean {
  const terms = (Array.isArray(hosts) ? hosts.map(String) : String(hosts ?? 'all').split(/[:,]/))
    .map((t) => t.trim())
    .filter((t) => t && !t.startsWith('!') && !t.startsWith('&'));
  return terms.some((t) => t === 'all' || !CONTRACT_GROUPS.has(t) || groups.has(t));
}
