import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { Ajv, type ValidateFunction } from 'ajv';
import { repoRoot } from '../../host/paths.ts';

// GitLab's own CI schema (app/assets/javascripts/editor/schema/ci.json), as bundled into the
// gitlab-ci-local devDependency. Its build inlines the JSON into dist/index.js as an object
// literal (`var X={$schema:...,$id:"https://gitlab.com/.gitlab-ci.yml",...}`), before its own
// relaxations are applied; we cut that literal out and evaluate it in an empty context, which
// gives the unmodified upstream schema without running gitlab-ci-local.
export function loadGitlabCiSchema(): Record<string, unknown> {
  const bundle = readFileSync(path.join(repoRoot, 'node_modules/gitlab-ci-local/dist/index.js'), 'utf8');
  const start =
    /var ([\w$]+)=\{\$schema:"http:\/\/json-schema\.org\/draft-07\/schema#",\$id:"https:\/\/gitlab\.com\/\.gitlab-ci\.yml"/.exec(
      bundle,
    );
  if (!start)
    throw new Error('GitLab CI schema not found in gitlab-ci-local: has its bundle layout changed?');
  const name = start[1] as string;
  const from = start.index + `var ${name}=`.length;
  const end = bundle.indexOf(`};delete ${name}.definitions`, from);
  if (end < 0) throw new Error('end of the GitLab CI schema not found in gitlab-ci-local');
  return runInNewContext(`(${bundle.slice(from, end + 1)})`, {}) as Record<string, unknown>;
}

let validator: ValidateFunction | undefined;

// Validates parsed pipeline YAML against GitLab's schema; returns readable errors (none = valid).
export function validateGitlabCi(pipeline: unknown): string[] {
  validator ??= new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(
    loadGitlabCiSchema(),
  );
  if (validator(pipeline)) return [];
  return (validator.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
