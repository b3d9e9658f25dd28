// A failed API request, with the HTTP status and the Status reason the API server gave.
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;

  constructor(
    method: string,
    path: string,
    status: number,
    body: { reason?: string; message?: string },
    cause?: unknown,
  ) {
    super(`${method} ${path}: ${status || 'no response'} ${body.reason ?? ''} ${body.message ?? ''}`.trim(), {
      cause,
    });
    this.name = 'ApiError';
    this.status = status;
    this.reason = body.reason;
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && error.reason === 'AlreadyExists';
}

export function isGone(error: unknown): boolean {
  return error instanceof ApiError && error.status === 410;
}
