// The one error shape of kvmatrix. Every failure a user can cause or meet carries a stable `code`
// (mapped to an exit status by the CLI), a `hint` naming the next thing to try, and the `cause`.
// Messages name the file, the key path and what was expected; nothing throws strings.

export type ErrorCode =
  | 'USAGE'
  | 'MATRIX_INVALID'
  | 'MATRIX_SELECTS_NOTHING'
  | 'NOT_FOUND'
  | 'IO'
  | 'TOOL_MISSING'
  | 'TOOL_FAILED'
  | 'PREFLIGHT'
  | 'INFRASTRUCTURE'
  | 'PRODUCT_FAILURE'
  | 'TIMEOUT'
  | 'INTERRUPTED'
  | 'INTERNAL';

// Exit statuses are part of the CI contract: 1 = product failure (never retried),
// 2 = usage or configuration error, 3 = infrastructure failure (the pipeline retries it).
export const EXIT_OK = 0;
export const EXIT_PRODUCT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INFRASTRUCTURE = 3;
export const EXIT_INTERRUPTED = 130;

const exitByCode: Record<ErrorCode, number> = {
  USAGE: EXIT_USAGE,
  MATRIX_INVALID: EXIT_USAGE,
  MATRIX_SELECTS_NOTHING: EXIT_USAGE,
  NOT_FOUND: EXIT_USAGE,
  IO: EXIT_USAGE,
  TOOL_MISSING: EXIT_USAGE,
  TOOL_FAILED: EXIT_USAGE,
  PREFLIGHT: EXIT_INFRASTRUCTURE,
  INFRASTRUCTURE: EXIT_INFRASTRUCTURE,
  PRODUCT_FAILURE: EXIT_PRODUCT_FAILURE,
  TIMEOUT: EXIT_PRODUCT_FAILURE,
  INTERRUPTED: EXIT_INTERRUPTED,
  INTERNAL: EXIT_USAGE,
};

export interface KvErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class KvError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: KvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }

  get exitCode(): number {
    return exitByCode[this.code];
  }
}

// A position inside a source file, 1-based, as editors show it.
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  path?: string;
}

export function formatLocation(loc: SourceLocation): string {
  let where = loc.file;
  if (loc.line !== undefined) where += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) where += `:${loc.column}`;
  return loc.path ? `${where} (at ${loc.path})` : where;
}

// Bad matrix input: always knows the file, and where it can, the line, column and key path.
export class MatrixError extends KvError {
  readonly location: SourceLocation;

  constructor(location: SourceLocation, message: string, options: KvErrorOptions = {}) {
    super('MATRIX_INVALID', `${formatLocation(location)}: ${message}`, options);
    this.location = location;
  }
}

export class UsageError extends KvError {
  constructor(message: string, options: KvErrorOptions = {}) {
    super('USAGE', message, options);
  }
}

// A machine, network or mirror could not be had: the pipeline may retry (exit 3).
export class InfrastructureError extends KvError {
  constructor(message: string, options: KvErrorOptions = {}) {
    super('INFRASTRUCTURE', message, options);
  }
}

// An external program kvmatrix depends on is absent; the hint says how to install it.
export class ToolMissingError extends KvError {
  constructor(tool: string, hint: string) {
    super('TOOL_MISSING', `${tool} is not installed or not on PATH`, { hint });
  }
}

export function isKvError(error: unknown): error is KvError {
  return error instanceof KvError;
}
