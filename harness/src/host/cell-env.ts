import path from 'node:path';
import { repoRoot } from './paths.ts';
import { isSecretName } from './secret-env.ts';

// The environment of the processes a cell runs (ansible-playbook and what it starts on the
// host): only what they need, never the CI job's tokens. ansible-playbook inherited the whole
// environment, so CI_JOB_TOKEN, KVMATRIX_GITLAB_TOKEN and any project-wide secret were visible
// to every task and lookup of the deployment code under test. Run with `extendEnv: false`.
const PASSED = new Set([
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TERM',
  'VIRTUAL_ENV',
]);
const PASSED_PREFIXES = ['LC_', 'ANSIBLE_'];

export function cellEnv(
  explicit: Record<string, string> = {},
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined) continue;
    const wanted = PASSED.has(name) || PASSED_PREFIXES.some((p) => name.startsWith(p));
    // An ANSIBLE_* variable that names a secret (a vault password) stays out as well.
    if (wanted && !isSecretName(name.replace(/^ANSIBLE_/, ''))) env[name] = value;
  }
  const venvBin = path.join(repoRoot, '.venv', 'bin');
  env.PATH = `${venvBin}${path.delimiter}${base.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`;
  env.LANG ??= 'C.UTF-8';
  return { ...env, ...explicit };
}
