// Routes SIGINT and SIGTERM (GitLab cancels a job with SIGTERM) to `onSignal` once, so the run
// can stop its step and tear down. A second signal exits at once with 130, after saying that
// machines may be left for `kvmatrix reap`. Returns a function that removes the handlers.
export function onTerminationSignals(onSignal: (name: NodeJS.Signals) => void): () => void {
  let received = 0;
  const handler = (name: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) {
      onSignal(name);
      return;
    }
    process.stderr.write(
      `kvmatrix: ${name} again: exiting without teardown; run \`kvmatrix reap\` to clean up\n`,
    );
    process.exit(130);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
