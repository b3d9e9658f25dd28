import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import matrixSchema from '../../../matrix/schema/matrix.schema.json' with { type: 'json' };
import { MatrixError } from '../contracts/errors.ts';
import type { KeyPath, YamlSource } from './yaml-source.ts';

// The published schema (matrix/schema/matrix.schema.json) is the one definition of the file's
// shape: editors complete from it, and the loader checks it here before reading any value.
let compiled: ValidateFunction | undefined;

export function compileMatrixSchema(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: false, verbose: true, strict: true, allowUnionTypes: true }).compile(
    matrixSchema,
  );
  return compiled;
}

// Throws one MatrixError (file:line:column and key path) for the first schema violation.
export function validateMatrixSchema(source: YamlSource): void {
  const validate = compileMatrixSchema();
  if (validate(source.data)) return;
  const error = pickError(validate.errors ?? []);
  if (!error) throw new MatrixError({ file: source.file }, 'the matrix does not match its schema');
  const path = pointerToPath(error.instancePath);
  const { key, message } = describeError(error);
  throw new MatrixError(source.locate(path, key), message, {
    hint: 'see matrix/schema/matrix.schema.json; an editor with the YAML language server completes the keys',
  });
}

// propertyNames errors come in pairs (the name's own error, then the summary); the first one
// that carries the offending key name is the most precise.
function pickError(errors: ErrorObject[]): ErrorObject | undefined {
  return errors.find((e) => e.propertyName !== undefined) ?? errors[0];
}

function pointerToPath(pointer: string): KeyPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}

function describeError(error: ErrorObject): { key?: string; message: string } {
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined) {
    return { key: error.propertyName, message: describeName(error.propertyName, error) };
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      const expected = allowed.length ? `; expected one of: ${allowed.join(', ')}` : '';
      return { key: name, message: `unknown key "${name}"${expected}` };
    }
    case 'required':
      return { message: `missing the required key "${String(params.missingProperty)}"` };
    case 'enum':
      return {
        message: `${show(error.data)} is not allowed; expected one of: ${(params.allowedValues as unknown[]).join(', ')}`,
      };
    case 'const':
      return { message: `${show(error.data)} is not allowed; expected ${show(params.allowedValue)}` };
    case 'type':
      return { message: `expected ${describeType(params.type)}, found ${typeOf(error.data)}` };
    case 'pattern':
      return { message: `${show(error.data)} does not have the expected form (${String(params.pattern)})` };
    default:
      return { message: `${show(error.data)} ${error.message ?? 'is not valid'}` };
  }
}

function describeName(name: string, error: ErrorObject): string {
  if (error.keyword === 'not') return `"${name}" is reserved and cannot be used as a name here`;
  if (error.keyword === 'pattern') {
    return `the name "${name}" may only hold letters, digits, ".", "_" and "-" and must start with a letter or digit`;
  }
  return `the name "${name}" ${error.message ?? 'is not allowed'}`;
}

function describeType(type: unknown): string {
  const names = Array.isArray(type) ? type : [type];
  const words: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
  };
  return names.map((t) => words[String(t)] ?? String(t)).join(' or ');
}

function typeOf(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${show(value)}`;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
