import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KvError, type SourceLocation } from '../contracts/errors.ts';
import { parseYamlSource, type YamlSource } from './yaml-source.ts';

// What the deployment code accepts, read from the playbooks themselves rather than from a copy
// kept by hand: every `assert` of the validation play of the form `<variable> in <list>` where
// <list> is a literal list in the validating role's defaults. A new check of that form in the
// playbooks becomes part of the contract without any change here. I/O: reads the playbooks.

// The validation play every entry playbook imports first (playbooks/README.md).
export const VALIDATION_PLAY = 'internal/validate.yml';

export interface AcceptedValues {
  // The inventory variable, e.g. container_runtime.
  variable: string;
  // The list variable of the role's defaults, e.g. cluster_container_runtimes.
  listVariable: string;
  values: string[];
  // Where the assertion is, and where the list is defined.
  assertedAt: SourceLocation;
  definedAt: SourceLocation;
}

export interface PlaybookContract {
  playbooksDir: string;
  accepted: AcceptedValues[];
}

type Raw = Record<string, unknown>;

const membership = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([A-Za-z_][A-Za-z0-9_]*)\s*$/;

async function readYaml(file: string, shown: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new KvError('IO', `cannot read the playbooks' ${shown}: ${(cause as NodeJS.ErrnoException).code}`, {
      cause,
      hint: "the matrix's `deployment.playbooks` must name the playbooks folder (relative to the matrix file)",
    });
  }
  return parseYamlSource(text, shown);
}

function tasksOf(data: unknown): Raw[] {
  if (!Array.isArray(data)) return [];
  return data.flatMap((item) => {
    const entry = item as Raw;
    return Array.isArray(entry.tasks) ? (entry.tasks as Raw[]) : [entry];
  });
}

function includedRole(task: Raw): { name: string; tasksFrom: string } | undefined {
  for (const key of [
    'ansible.builtin.include_role',
    'ansible.builtin.import_role',
    'include_role',
    'import_role',
  ]) {
    const args = task[key] as Raw | undefined;
    if (args && typeof args.name === 'string') {
      return { name: args.name, tasksFrom: String(args.tasks_from ?? 'main') };
    }
  }
  return undefined;
}

function assertionsOf(task: Raw): string[] {
  const args = (task['ansible.builtin.assert'] ?? task.assert) as Raw | undefined;
  if (!args) return [];
  const that = args.that;
  return (Array.isArray(that) ? that : [that]).filter((t): t is string => typeof t === 'string');
}

// `shownRoot` is what file names in messages are relative to (the repository root).
export async function readPlaybookContract(
  playbooksDir: string,
  shownRoot: string,
): Promise<PlaybookContract> {
  const shown = (file: string) => path.relative(shownRoot, file) || file;
  const playFile = path.join(playbooksDir, VALIDATION_PLAY);
  const play = await readYaml(playFile, shown(playFile));
  const accepted: AcceptedValues[] = [];
  for (const task of tasksOf(play.data)) {
    const role = includedRole(task);
    if (!role) continue;
    const roleDir = path.join(playbooksDir, 'roles', role.name);
    const tasksFile = path.join(roleDir, 'tasks', `${role.tasksFrom.replace(/\.ya?ml$/, '')}.yml`);
    const defaultsFile = path.join(roleDir, 'defaults', 'main.yml');
    const tasks = await readYaml(tasksFile, shown(tasksFile));
    const defaults = await readYaml(defaultsFile, shown(defaultsFile));
    const defaultsData = (defaults.data ?? {}) as Raw;
    ((tasks.data ?? []) as Raw[]).forEach((roleTask, index) => {
      for (const expression of assertionsOf(roleTask)) {
        const match = membership.exec(expression);
        if (!match?.[1] || !match[2]) continue;
        const [, variable, listVariable] = match;
        const list = defaultsData[listVariable];
        if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
          throw new KvError(
            'MATRIX_INVALID',
            `${shown(tasksFile)} asserts "${expression}", but ${listVariable} is not a literal list of names in ${shown(defaultsFile)}`,
            {
              hint: 'keep the accepted values as a plain YAML list in the role defaults, so the matrix can be checked against them',
            },
          );
        }
        accepted.push({
          variable,
          listVariable,
          values: list as string[],
          assertedAt: {
            ...tasks.locate([index]),
            path: `task ${JSON.stringify(String(roleTask.name ?? `#${index + 1}`))}`,
          },
          definedAt: defaults.locate([], listVariable),
        });
      }
    });
  }
  return { playbooksDir, accepted };
}
