// The end of every reconcile (after cluster-api's deferred patch helper): run the phases in order,
// then write status once, computed from what the phases saw, whether or not one of them threw.
// A phase's error is returned to the work queue after the status patch (which then carries what
// was true up to the failure); a failure of the status patch itself is thrown only when no phase
// failed (else it is logged, so the phase's error is the one retried and reported).
export type Phase<S> = (scope: S) => Promise<void>;

export async function runPhases<S>(
  scope: S,
  phases: ReadonlyArray<Phase<S>>,
  patchStatus: (scope: S) => Promise<void>,
  onPatchError: (error: unknown) => void = () => {},
): Promise<void> {
  let failure: { error: unknown } | undefined;
  for (const phase of phases) {
    try {
      await phase(scope);
    } catch (error) {
      failure = { error };
      break;
    }
  }
  try {
    await patchStatus(scope);
  } catch (error) {
    if (!failure) throw error;
    onPatchError(error);
  }
  if (failure) throw failure.error;
}
