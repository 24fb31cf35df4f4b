/**
 * A cell's process works for the `run` that forked it. When that process dies without stopping it (kill -9,
 * a crash), nobody will record the cell's results and a rerun may start the same cell, so the cell must stop
 * too. The system re-parents an orphan (its ppid changes, to 1 or to a subreaper) and closes its IPC
 * channel; but the channel's 'disconnect' event waits for the event loop, which a synchronous training loop
 * does not give a turn for minutes, so the cell also compares its ppid at every progress event.
 */

/** A cell that stops because its `run` is gone (nobody reads it; distinct from a failure, for `ps` and tests). */
export const ORPHAN_EXIT_CODE = 3;

/** How often the event loop checks, when it gets a turn (the progress events check in between). */
const CHECK_MS = 1000;

/**
 * Stop this process as soon as `parent` (the process that forked it) is no longer its parent: at once if it
 * already went while this process was starting, then whenever the event loop has a turn, and at each call of
 * the returned check, for the places a long synchronous computation passes through (each progress event;
 * one getppid call).
 */
export function stopWhenOrphaned(parent: number): () => void {
  const check = (): void => {
    if (process.ppid !== parent) process.exit(ORPHAN_EXIT_CODE);
  };
  check();
  process.on('disconnect', () => process.exit(ORPHAN_EXIT_CODE));
  setInterval(check, CHECK_MS).unref();
  return check;
}
