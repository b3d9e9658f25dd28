import { InfrastructureError, isKvError, KvError } from '../../contracts/errors.ts';

// What `up` throws after it has cleaned up: a KvError as is; a full disk or an unwritable state
// dir as an infrastructure failure naming the place; an abort as INTERRUPTED.
export function wrapUpFailure(error: unknown, provider: string, stateDir: string): Error {
  if (isKvError(error)) return error;
  const err = error as NodeJS.ErrnoException;
  if (err?.name === 'AbortError') {
    return new KvError('INTERRUPTED', `${provider}: up interrupted; everything it made was removed`, {
      cause: error,
    });
  }
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT') {
    return new InfrastructureError(`${provider}: no space left on device writing ${err.path ?? stateDir}`, {
      hint: `free space there (or set KVMATRIX_STATE_DIR); nothing was left behind`,
      cause: error,
    });
  }
  if (err?.code === 'EACCES' || err?.code === 'EROFS' || err?.code === 'EPERM') {
    return new InfrastructureError(`${provider}: cannot write ${err.path ?? stateDir} (${err.code})`, {
      hint: 'run as root with a writable state dir (KVMATRIX_STATE_DIR)',
      cause: error,
    });
  }
  return new InfrastructureError(`${provider}: up failed: ${err?.message ?? String(error)}`, {
    cause: error,
  });
}
