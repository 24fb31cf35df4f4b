/**
 * One cell of an experiment, in a process of its own (started by the runner): load the corpus, train the
 * model, score valid and test by the shared protocol, keep the test split's per-token log-probabilities,
 * and send the measurements back. Its own process gives each run a clean heap and an honest peak RSS.
 *
 * Usage (by the runner): node --import tsx harness/cell.ts '{"cell": …, "outDir": …}'
 */
import { UserError } from '../errors/user-error.ts';
import type { CellMessage, CellRequest } from './experiment/messages.ts';
import { stopWhenOrphaned } from './experiment/orphan.ts';
import { runCell } from './experiment/run-cell.ts';

function send(message: CellMessage): Promise<void> {
  if (!process.send) {
    if (message.type !== 'progress') process.stdout.write(`${JSON.stringify(message)}\n`);
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (e) => (e ? reject(e) : resolve())));
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (!arg) throw new UserError('usage: cell.ts REQUEST_JSON (started by `run`, not by hand)');
  const request = JSON.parse(arg) as CellRequest;
  // Started by `run` (with an IPC channel): stop with it. By hand, there is no run to outlive.
  const orphaned = process.send ? stopWhenOrphaned(request.runPid) : () => {};
  const result = await runCell(request, (event) => {
    orphaned();
    void send({ type: 'progress', event });
  });
  await send({ type: 'result', result });
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    const message = e instanceof UserError ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (!(e instanceof UserError) && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    await send({ type: 'error', message }).catch(() => {});
    process.exit(1);
  },
);
