import { glob, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { KvError, UsageError } from '../../contracts/errors.ts';
import type { PlanCell } from '../../contracts/plan.ts';
import { RESULT_SCHEMA_VERSION, type ResultRecord } from '../../contracts/result-record.ts';
import { quoteValue } from '../../contracts/safe-text.ts';

// The part of the ResultRecord contract the reports rely on. Unknown fields are allowed so that
// the record can grow without breaking older reports.
const recordSchema = {
  type: 'object',
  required: [
    'schemaVersion',
    'cell',
    'axes',
    'scenario',
    'outcome',
    'startedAt',
    'finishedAt',
    'durationMs',
    'steps',
  ],
  properties: {
    schemaVersion: { const: RESULT_SCHEMA_VERSION },
    cell: { type: 'string', minLength: 1 },
    axes: { type: 'object', additionalProperties: { type: 'string' } },
    scenario: { type: 'string' },
    outcome: { enum: ['passed', 'failed', 'infra-failed', 'interrupted'] },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    durationMs: { type: 'number', minimum: 0 },
    phases: { type: 'array' },
    attempt: { type: 'integer', minimum: 1 },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'kind', 'outcome', 'startedAt', 'durationMs', 'checks'],
        properties: {
          id: { type: 'string' },
          outcome: { enum: ['passed', 'failed', 'skipped', 'error'] },
          durationMs: { type: 'number' },
          checks: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'outcome', 'durationMs'],
              properties: { outcome: { enum: ['passed', 'failed', 'skipped', 'error'] } },
            },
          },
        },
      },
    },
  },
} as const;

const planSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['name', 'axes', 'scenario'],
    properties: {
      name: { type: 'string', minLength: 1 },
      axes: { type: 'object', additionalProperties: { type: 'string' } },
      scenario: { type: 'string' },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: false, strict: false });
const validateRecord = ajv.compile(recordSchema);
const validatePlan = ajv.compile(planSchema);

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'does not match the expected shape';
  const at = error.instancePath || '(top level)';
  if (error.keyword === 'required') return `${at}: missing field "${String(error.params.missingProperty)}"`;
  if (error.keyword === 'enum')
    return `${at}: expected one of ${(error.params.allowedValues as string[]).join(', ')}`;
  if (error.keyword === 'const') return `${at}: expected ${JSON.stringify(error.params.allowedValue)}`;
  return `${at}: ${error.message ?? 'invalid'}`;
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new KvError('IO', `cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KvError('IO', `${file}: not valid JSON (${(error as Error).message})`, {
      hint: `the ${what} must be a JSON document`,
    });
  }
}

export async function readResultRecord(file: string): Promise<ResultRecord> {
  const data = await readJson(file, 'result record');
  if (!validateRecord(data)) {
    throw new KvError(
      'IO',
      `${file}: not a kvmatrix result record: ${describe(validateRecord.errors?.[0])}`,
      {
        hint: `result records are written by \`kvmatrix run\` (schemaVersion ${RESULT_SCHEMA_VERSION})`,
      },
    );
  }
  return data as unknown as ResultRecord;
}

// Finds result records: a directory is searched recursively for result.json files; anything
// else with glob characters is a pattern; a glob matching nothing is not an error (every cell is
// then missing), a plain path that does not exist is.
export async function findResultFiles(pattern: string, cwd = process.cwd()): Promise<string[]> {
  const absolute = path.resolve(cwd, pattern);
  const info = await stat(absolute).catch(() => undefined);
  const files: string[] = [];
  if (info?.isDirectory()) {
    for await (const file of glob('**/result.json', { cwd: absolute })) files.push(path.join(absolute, file));
  } else if (info?.isFile()) {
    files.push(absolute);
  } else if (/[*?[\]{}]/.test(pattern)) {
    for await (const file of glob(pattern, { cwd })) files.push(path.resolve(cwd, file));
  } else {
    // A plain path that does not exist is a typo, not "every cell is missing".
    throw new UsageError(`${quoteValue(pattern)}: no such file or folder of result records`, {
      hint: 'pass the folder the cell jobs wrote (e.g. -r artifacts/) or a glob (-r "results/**/result.json")',
    });
  }
  return files.sort();
}

export async function loadResultRecords(patterns: string[], cwd = process.cwd()) {
  const files = (await Promise.all(patterns.map((p) => findResultFiles(p, cwd)))).flat();
  const unique = [...new Set(files)];
  const records = await Promise.all(unique.map((f) => readResultRecord(f)));
  return { files: unique, records };
}

// A plan as `kvmatrix matrix list --json` prints it: an array of {name, axes, scenario}.
export async function loadPlanFile(file: string): Promise<PlanCell[]> {
  const data = await readJson(file, 'plan');
  if (!validatePlan(data)) {
    throw new UsageError(`${file}: not a plan: ${describe(validatePlan.errors?.[0])}`, {
      hint: 'pass the output of `kvmatrix matrix list --json` (an array of {name, axes, scenario})',
    });
  }
  return data as unknown as PlanCell[];
}
