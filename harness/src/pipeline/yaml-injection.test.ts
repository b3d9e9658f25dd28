import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stringifySafeYaml } from '../contracts/safe-yaml.ts';
import { repoRoot } from '../host/paths.ts';
import { loadSmall, replaceOnce } from '../matrix/test-helpers.ts';
import { renderInventory } from '../providers/local/inventory.ts';
import { generatePipelines } from './generate-pipelines.ts';

// A YAML 1.1 reader (libyaml, GitLab's; PyYAML, Ansible's and cloud-init's) takes NEL, U+2028 and
// U+2029 as line breaks; the yaml library writes YAML 1.2, where they are not. A quarantine reason
// holding one once became a new job in the generated pipeline. The real PyYAML with libyaml from
// the project's .venv (made by `npm run setup`) reads every output here, and must see exactly
// what the yaml library sees.
const python = path.join(repoRoot, '.venv', 'bin', 'python3');

async function readWithPyYaml(text: string): Promise<unknown> {
  const { stdout } = await execa(
    python,
    ['-c', 'import sys, json, yaml; print(json.dumps(yaml.load(sys.stdin.read(), Loader=yaml.CSafeLoader)))'],
    { input: text },
  );
  return JSON.parse(stdout);
}

const breaks = { NEL: '\u0085', LS: '\u2028', PS: '\u2029', CR: '\r' };
const payload = (c: string) => `flaky${c}evil-job: { stage: cells, script: [curl attacker] }${c}# more`;

describe.skipIf(!existsSync(python))('YAML that YAML 1.1 readers read alike', () => {
  it.each(Object.entries(breaks))(
    'a quarantine reason with %s stays a comment of the generated pipeline',
    async (_, c) => {
      const matrix = loadSmall((t) =>
        replaceOnce(t, '    reason: flaky\n', `    reason: ${JSON.stringify(payload(c))}\n`),
      );
      const generated = generatePipelines(matrix, { tierId: 'nightly' });
      const shard = generated.files.find((f) => f.content.includes('# quarantined'))?.content ?? '';
      expect(shard).toContain('# quarantined: https://gitlab.example.com/kvmatrix/-/issues/1 (flaky\\');
      expect(shard).not.toMatch(/[\u0085\u2028\u2029\r]/);
      const asPyYaml = (await readWithPyYaml(shard)) as Record<string, unknown>;
      expect(Object.keys(asPyYaml)).not.toContain('evil-job');
      expect(asPyYaml).toEqual(parse(shard));
    },
  );

  it.each(Object.entries(breaks))('a variable value with %s reaches Ansible unchanged', async (_, c) => {
    const value = `a${c}injected_var: 1`;
    const inventory = renderInventory([], { kvmatrix_note: value, plain: 'x' });
    const read = (await readWithPyYaml(inventory)) as { all: { vars: Record<string, unknown> } };
    expect(read.all.vars.kvmatrix_note).toBe(value);
    expect(read.all.vars).not.toHaveProperty('injected_var');
    expect(read).toEqual(parse(inventory));
  });

  it('keeps ordinary strings as they were written', () => {
    expect(stringifySafeYaml({ a: 'plain', b: 'with: colon', c: 'tab\there' })).toBe(
      'a: plain\nb: "with: colon"\nc: tab\there\n',
    );
  });
});
